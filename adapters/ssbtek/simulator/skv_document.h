#pragma once
// Skatteverket's own answer, SvarBeskattningsuppgifterEnligtSFS2008-975, which SSBTEK passes on as
// the text of the unqualified ssbt:SKV/ssbt:data/svar. Our model of it is
// schemas/ssbtek/skv-standardiseradinformation-1.0.xsd (README there: what is observed, what is ours).
#include <string>

#include "xml_tree.h"

namespace knutpunkt::ssbtek_simulator {

// One Personuppgift per taxeringsår, each with the person's identity (names left out when the
// person has protected personal data), a Kapitaluppgift and a Forvarvsinkomstuppgift. `facts` is
// the person's "SKV" entry; null (Skatteverket has no taxation figures) gives one Personuppgift
// with the identity and status code 2 only.
Doc skv_document(const std::string& personidentitet, const Json& person, const Json& facts);

}  // namespace knutpunkt::ssbtek_simulator
