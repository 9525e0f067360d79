#pragma once
// What no identifier that comes from outside (personnummer, case ids, consent ids, referral ids,
// ids a client chooses) may contain: control characters. A NUL ends a C string, so what one layer
// logs and another matches could differ; the others make audit records and logs misread.
#include <string_view>

namespace knutpunkt::policy {

// C0 (U+0000 to U+001F), DEL (U+007F) and C1 (U+0080 to U+009F, as UTF-8 0xC2 0x80 to 0xC2 0x9F).
bool has_control_character(std::string_view text);

}  // namespace knutpunkt::policy
