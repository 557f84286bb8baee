/* Our harness: decodes 25-byte messages (hex, one a line) with opendroneid-core-c and prints JSON. */
#include <stdio.h>
#include <string.h>
#include "opendroneid.h"
static void jstr(const char *k, const char *s, int n) {
    printf("\"%s\":\"", k);
    for (int i = 0; i < n && s[i]; i++) { unsigned char c = s[i];
        if (c == '"' || c == '\\' || c < 0x20 || c > 0x7e) printf("\\u%04x", c); else putchar(c); }
    printf("\",");
}
int main(void) {
    char line[512]; unsigned char m[25];
    while (fgets(line, sizeof line, stdin)) {
        for (int i = 0; i < 25; i++) sscanf(line + 2 * i, "%2hhx", &m[i]);
        printf("{\"hex\":\"%.50s\",", line);
        int ok = 0;
        switch (decodeMessageType(m[0])) {
        case ODID_MESSAGETYPE_BASIC_ID: { ODID_BasicID_data d; memset(&d, 0, sizeof d);
            if (decodeBasicIDMessage(&d, (ODID_BasicID_encoded *) m) == ODID_SUCCESS) { ok = 1;
                printf("\"type\":0,\"id_type\":%d,\"ua_type\":%d,", d.IDType, d.UAType); jstr("uas_id", d.UASID, 20); } break; }
        case ODID_MESSAGETYPE_LOCATION: { ODID_Location_data d;
            if (decodeLocationMessage(&d, (ODID_Location_encoded *) m) == ODID_SUCCESS) { ok = 1;
                printf("\"type\":1,\"status\":%d,\"direction\":%.9g,\"speed_h\":%.9g,\"speed_v\":%.9g,"
                       "\"lat\":%.10f,\"lon\":%.10f,\"alt_baro\":%.9g,\"alt_geo\":%.9g,\"height_type\":%d,"
                       "\"height\":%.9g,\"h_acc\":%d,\"v_acc\":%d,\"baro_acc\":%d,\"speed_acc\":%d,"
                       "\"ts_acc\":%d,\"timestamp\":%.9g,\"h_acc_m\":%.9g,\"v_acc_m\":%.9g,",
                       d.Status, (double) d.Direction, (double) d.SpeedHorizontal, (double) d.SpeedVertical,
                       d.Latitude, d.Longitude, (double) d.AltitudeBaro, (double) d.AltitudeGeo, d.HeightType,
                       (double) d.Height, d.HorizAccuracy, d.VertAccuracy, d.BaroAccuracy, d.SpeedAccuracy,
                       d.TSAccuracy, (double) d.TimeStamp, (double) decodeHorizontalAccuracy(d.HorizAccuracy),
                       (double) decodeVerticalAccuracy(d.VertAccuracy)); } break; }
        case ODID_MESSAGETYPE_AUTH: { ODID_Auth_data d; memset(&d, 0, sizeof d);
            if (decodeAuthMessage(&d, (ODID_Auth_encoded *) m) == ODID_SUCCESS) { ok = 1;
                printf("\"type\":2,\"auth_type\":%d,\"page\":%d,\"last_page\":%d,\"length\":%d,\"auth_ts\":%u,\"data\":\"",
                       d.AuthType, d.DataPage, d.LastPageIndex, d.Length, d.Timestamp);
                int n = d.DataPage == 0 ? 17 : 23; for (int i = 0; i < n; i++) printf("%02x", d.AuthData[i]); printf("\","); } break; }
        case ODID_MESSAGETYPE_SELF_ID: { ODID_SelfID_data d;
            if (decodeSelfIDMessage(&d, (ODID_SelfID_encoded *) m) == ODID_SUCCESS) { ok = 1;
                printf("\"type\":3,\"desc_type\":%d,", d.DescType); jstr("desc", d.Desc, 23); } break; }
        case ODID_MESSAGETYPE_SYSTEM: { ODID_System_data d;
            if (decodeSystemMessage(&d, (ODID_System_encoded *) m) == ODID_SUCCESS) { ok = 1;
                printf("\"type\":4,\"op_loc_type\":%d,\"class_type\":%d,\"op_lat\":%.10f,\"op_lon\":%.10f,"
                       "\"area_count\":%d,\"area_radius\":%d,\"area_ceiling\":%.9g,\"area_floor\":%.9g,"
                       "\"category_eu\":%d,\"class_eu\":%d,\"op_alt\":%.9g,\"sys_ts\":%u,",
                       d.OperatorLocationType, d.ClassificationType, d.OperatorLatitude, d.OperatorLongitude,
                       d.AreaCount, d.AreaRadius, (double) d.AreaCeiling, (double) d.AreaFloor, d.CategoryEU,
                       d.ClassEU, (double) d.OperatorAltitudeGeo, d.Timestamp); } break; }
        case ODID_MESSAGETYPE_OPERATOR_ID: { ODID_OperatorID_data d;
            if (decodeOperatorIDMessage(&d, (ODID_OperatorID_encoded *) m) == ODID_SUCCESS) { ok = 1;
                printf("\"type\":5,\"op_id_type\":%d,", d.OperatorIdType); jstr("op_id", d.OperatorId, 20); } break; }
        default: break;
        }
        printf("\"ok\":%s}\n", ok ? "true" : "false");
    }
    return 0;
}
