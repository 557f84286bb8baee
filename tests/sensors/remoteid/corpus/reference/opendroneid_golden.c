/* Prints the encoded hex of the values in opendroneid-core-c test/test_inout.c (our harness). */
#include <stdio.h>
#include <string.h>
#include "opendroneid.h"
static void hex(const char *name, const void *p, int n) {
    const unsigned char *b = p; printf("%s ", name);
    for (int i = 0; i < n; i++) printf("%02x", b[i]); printf("\n");
}
int main(void) {
    ODID_BasicID_encoded be; ODID_BasicID_data b; odid_initBasicIDData(&b);
    b.IDType = ODID_IDTYPE_CAA_REGISTRATION_ID; b.UAType = ODID_UATYPE_HELICOPTER_OR_MULTIROTOR;
    strncpy(b.UASID, "12345678901234567890", sizeof(b.UASID)); encodeBasicIDMessage(&be, &b);
    hex("basic_id", &be, 25);
    ODID_Location_encoded le; ODID_Location_data l; odid_initLocationData(&l);
    l.Status = ODID_STATUS_AIRBORNE; l.Direction = 215.7f; l.SpeedHorizontal = 5.4f; l.SpeedVertical = 5.25f;
    l.Latitude = 45.539309; l.Longitude = -122.966389; l.AltitudeBaro = 100; l.AltitudeGeo = 110;
    l.HeightType = ODID_HEIGHT_REF_OVER_GROUND; l.Height = 80;
    l.HorizAccuracy = createEnumHorizontalAccuracy(2.5f); l.VertAccuracy = createEnumVerticalAccuracy(0.5f);
    l.BaroAccuracy = createEnumVerticalAccuracy(1.5f); l.SpeedAccuracy = createEnumSpeedAccuracy(0.5f);
    l.TSAccuracy = createEnumTimestampAccuracy(0.2f); l.TimeStamp = 360.52f; encodeLocationMessage(&le, &l);
    hex("location", &le, 25);
    ODID_Auth_encoded a0e, a1e; ODID_Auth_data a0, a1; odid_initAuthData(&a0);
    a0.AuthType = ODID_AUTH_UAS_ID_SIGNATURE; a0.DataPage = 0; a0.LastPageIndex = 1; a0.Length = 40; a0.Timestamp = 28000000;
    memcpy(a0.AuthData, "12345678901234567", 17); encodeAuthMessage(&a0e, &a0); hex("auth0", &a0e, 25);
    odid_initAuthData(&a1); a1.AuthType = ODID_AUTH_UAS_ID_SIGNATURE; a1.DataPage = 1;
    memcpy(a1.AuthData, "12345678901234567890123", 23); encodeAuthMessage(&a1e, &a1); hex("auth1", &a1e, 25);
    ODID_SelfID_encoded se; ODID_SelfID_data s; odid_initSelfIDData(&s); s.DescType = ODID_DESC_TYPE_TEXT;
    strncpy(s.Desc, "DronesRUS: Real Estate", sizeof(s.Desc)); encodeSelfIDMessage(&se, &s); hex("self_id", &se, 25);
    ODID_System_encoded ye; ODID_System_data y; odid_initSystemData(&y);
    y.OperatorLocationType = ODID_OPERATOR_LOCATION_TYPE_TAKEOFF; y.ClassificationType = ODID_CLASSIFICATION_TYPE_EU;
    y.OperatorLatitude = l.Latitude + 0.00001; y.OperatorLongitude = l.Longitude + 0.00001;
    y.AreaCount = 35; y.AreaRadius = 75; y.AreaCeiling = 176.9f; y.AreaFloor = 41.7f;
    y.CategoryEU = ODID_CATEGORY_EU_SPECIFIC; y.ClassEU = ODID_CLASS_EU_CLASS_3; y.OperatorAltitudeGeo = 20.5f;
    y.Timestamp = 28000000; encodeSystemMessage(&ye, &y); hex("system", &ye, 25);
    ODID_OperatorID_encoded oe; ODID_OperatorID_data o; odid_initOperatorIDData(&o); o.OperatorIdType = ODID_OPERATOR_ID;
    strncpy(o.OperatorId, "98765432100123456789", sizeof(o.OperatorId)); encodeOperatorIDMessage(&oe, &o);
    hex("operator_id", &oe, 25);
    ODID_MessagePack_data pd; ODID_MessagePack_encoded pe; odid_initMessagePackData(&pd); pd.MsgPackSize = 7;
    memcpy(&pd.Messages[0], &be, 25); memcpy(&pd.Messages[1], &le, 25); memcpy(&pd.Messages[2], &a0e, 25);
    memcpy(&pd.Messages[3], &a1e, 25); memcpy(&pd.Messages[4], &se, 25); memcpy(&pd.Messages[5], &ye, 25);
    memcpy(&pd.Messages[6], &oe, 25); encodeMessagePack(&pe, &pd); hex("pack", &pe, 3 + 7 * 25);
    /* unit_odid_wifi_beacon.cpp test data */
    ODID_Location_data l2; odid_initLocationData(&l2); l2.Status = ODID_STATUS_AIRBORNE; l2.Direction = 0.25f;
    l2.SpeedHorizontal = 62.f; l2.SpeedVertical = 62.f; encodeLocationMessage(&le, &l2); hex("beacon_location", &le, 25);
    ODID_BasicID_data b2 = {ODID_UATYPE_HYBRID_LIFT, ODID_IDTYPE_SERIAL_NUMBER, "USS-Enterprise"};
    encodeBasicIDMessage(&be, &b2); hex("beacon_basic_id", &be, 25);
    ODID_System_data y2; odid_initSystemData(&y2); y2.Timestamp = 0x12345678; encodeSystemMessage(&ye, &y2);
    hex("beacon_system", &ye, 25);
    return 0;
}
