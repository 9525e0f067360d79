#pragma once
// The record-by-record verifier the parallel one replaced (reference_verifier.cpp), for the
// benchmark's side-by-side figures only.
#include <expected>

#include "audit/audit_verifier.h"

namespace knutpunkt::bench {

std::expected<VerifyReport, StoreError> verify_chain_sequential(Store& store);

}  // namespace knutpunkt::bench
