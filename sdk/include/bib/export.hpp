// Symbol visibility for the SDK. The SDK library and every plugin are built with
// -fvisibility=hidden; the SDK's interface types carry BIB_SDK_API so that their typeinfo and
// vtables are shared across library boundaries (exceptions and dynamic_cast keep working).
#pragma once

#define BIB_SDK_API __attribute__((visibility("default")))
