from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TakMessage(_message.Message):
    __slots__ = ("takControl", "cotEvent")
    TAKCONTROL_FIELD_NUMBER: _ClassVar[int]
    COTEVENT_FIELD_NUMBER: _ClassVar[int]
    takControl: TakControl
    cotEvent: CotEvent
    def __init__(self, takControl: _Optional[_Union[TakControl, _Mapping]] = ..., cotEvent: _Optional[_Union[CotEvent, _Mapping]] = ...) -> None: ...

class TakControl(_message.Message):
    __slots__ = ("minProtoVersion", "maxProtoVersion", "contactUid")
    MINPROTOVERSION_FIELD_NUMBER: _ClassVar[int]
    MAXPROTOVERSION_FIELD_NUMBER: _ClassVar[int]
    CONTACTUID_FIELD_NUMBER: _ClassVar[int]
    minProtoVersion: int
    maxProtoVersion: int
    contactUid: str
    def __init__(self, minProtoVersion: _Optional[int] = ..., maxProtoVersion: _Optional[int] = ..., contactUid: _Optional[str] = ...) -> None: ...

class CotEvent(_message.Message):
    __slots__ = ("type", "access", "qos", "opex", "uid", "sendTime", "startTime", "staleTime", "how", "lat", "lon", "hae", "ce", "le", "detail")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    ACCESS_FIELD_NUMBER: _ClassVar[int]
    QOS_FIELD_NUMBER: _ClassVar[int]
    OPEX_FIELD_NUMBER: _ClassVar[int]
    UID_FIELD_NUMBER: _ClassVar[int]
    SENDTIME_FIELD_NUMBER: _ClassVar[int]
    STARTTIME_FIELD_NUMBER: _ClassVar[int]
    STALETIME_FIELD_NUMBER: _ClassVar[int]
    HOW_FIELD_NUMBER: _ClassVar[int]
    LAT_FIELD_NUMBER: _ClassVar[int]
    LON_FIELD_NUMBER: _ClassVar[int]
    HAE_FIELD_NUMBER: _ClassVar[int]
    CE_FIELD_NUMBER: _ClassVar[int]
    LE_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    type: str
    access: str
    qos: str
    opex: str
    uid: str
    sendTime: int
    startTime: int
    staleTime: int
    how: str
    lat: float
    lon: float
    hae: float
    ce: float
    le: float
    detail: Detail
    def __init__(self, type: _Optional[str] = ..., access: _Optional[str] = ..., qos: _Optional[str] = ..., opex: _Optional[str] = ..., uid: _Optional[str] = ..., sendTime: _Optional[int] = ..., startTime: _Optional[int] = ..., staleTime: _Optional[int] = ..., how: _Optional[str] = ..., lat: _Optional[float] = ..., lon: _Optional[float] = ..., hae: _Optional[float] = ..., ce: _Optional[float] = ..., le: _Optional[float] = ..., detail: _Optional[_Union[Detail, _Mapping]] = ...) -> None: ...

class Detail(_message.Message):
    __slots__ = ("xmlDetail", "contact", "group", "precisionLocation", "status", "takv", "track")
    XMLDETAIL_FIELD_NUMBER: _ClassVar[int]
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    PRECISIONLOCATION_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TAKV_FIELD_NUMBER: _ClassVar[int]
    TRACK_FIELD_NUMBER: _ClassVar[int]
    xmlDetail: str
    contact: Contact
    group: Group
    precisionLocation: PrecisionLocation
    status: Status
    takv: Takv
    track: Track
    def __init__(self, xmlDetail: _Optional[str] = ..., contact: _Optional[_Union[Contact, _Mapping]] = ..., group: _Optional[_Union[Group, _Mapping]] = ..., precisionLocation: _Optional[_Union[PrecisionLocation, _Mapping]] = ..., status: _Optional[_Union[Status, _Mapping]] = ..., takv: _Optional[_Union[Takv, _Mapping]] = ..., track: _Optional[_Union[Track, _Mapping]] = ...) -> None: ...

class Contact(_message.Message):
    __slots__ = ("endpoint", "callsign")
    ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    CALLSIGN_FIELD_NUMBER: _ClassVar[int]
    endpoint: str
    callsign: str
    def __init__(self, endpoint: _Optional[str] = ..., callsign: _Optional[str] = ...) -> None: ...

class Group(_message.Message):
    __slots__ = ("name", "role")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    name: str
    role: str
    def __init__(self, name: _Optional[str] = ..., role: _Optional[str] = ...) -> None: ...

class PrecisionLocation(_message.Message):
    __slots__ = ("geopointsrc", "altsrc")
    GEOPOINTSRC_FIELD_NUMBER: _ClassVar[int]
    ALTSRC_FIELD_NUMBER: _ClassVar[int]
    geopointsrc: str
    altsrc: str
    def __init__(self, geopointsrc: _Optional[str] = ..., altsrc: _Optional[str] = ...) -> None: ...

class Status(_message.Message):
    __slots__ = ("battery",)
    BATTERY_FIELD_NUMBER: _ClassVar[int]
    battery: int
    def __init__(self, battery: _Optional[int] = ...) -> None: ...

class Takv(_message.Message):
    __slots__ = ("device", "platform", "os", "version")
    DEVICE_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    OS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    device: str
    platform: str
    os: str
    version: str
    def __init__(self, device: _Optional[str] = ..., platform: _Optional[str] = ..., os: _Optional[str] = ..., version: _Optional[str] = ...) -> None: ...

class Track(_message.Message):
    __slots__ = ("speed", "course")
    SPEED_FIELD_NUMBER: _ClassVar[int]
    COURSE_FIELD_NUMBER: _ClassVar[int]
    speed: float
    course: float
    def __init__(self, speed: _Optional[float] = ..., course: _Optional[float] = ...) -> None: ...
