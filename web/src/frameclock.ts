// Frame timing: requestAnimationFrame intervals (the test hook's frameTimes), deck.gl render
// durations, and the cost of a draw — the longest animation-frame gap in the few frames after
// it (EMA) — which the map uses to size its symbol and trail budgets.

export const FRAME_TIMES = 600;
const DRAW_FRAMES = 4; // a software renderer's stall can land a frame or two after the draw

export class FrameClock {
  /** Recent frame intervals in ms (oldest first), and deck.gl render durations (CPU side). */
  readonly frameTimes: number[] = [];
  readonly renderTimes: number[] = [];
  /** requestAnimationFrame callbacks since start. */
  count = 0;
  /** ms: the longest animation-frame gap just after a draw (EMA). */
  drawCost = 0;
  private last = 0;
  private measureFrom = -1; // rAF count from which to watch the gaps after a draw
  private worstGap = 0;

  /** `adapt` gets each draw's worst gap (ms). */
  constructor(private readonly adapt: (worstGapMs: number) => void) {}

  start(): void {
    requestAnimationFrame(this.tick);
  }

  /** A frame was handed to deck.gl: it renders in the next animation frame; the gaps after
   * it are its cost. */
  drew(): void {
    this.measureFrom = this.count + 2;
    this.worstGap = 0;
  }

  rendered(ms: number): void {
    keep(this.renderTimes, ms);
  }

  private readonly tick = (now: number): void => {
    this.count++;
    if (this.last) {
      if (this.measureFrom >= 0 && this.count >= this.measureFrom) {
        this.worstGap = Math.max(this.worstGap, now - this.last);
        if (this.count === this.measureFrom + DRAW_FRAMES - 1) {
          this.drawCost = this.drawCost ? 0.7 * this.drawCost + 0.3 * this.worstGap : this.worstGap;
          this.adapt(this.worstGap);
          this.measureFrom = -1;
          this.worstGap = 0;
        }
      }
      keep(this.frameTimes, now - this.last);
    }
    this.last = now;
    requestAnimationFrame(this.tick);
  };
}

function keep(xs: number[], x: number): void {
  xs.push(x);
  if (xs.length > FRAME_TIMES) xs.splice(0, xs.length - FRAME_TIMES);
}
