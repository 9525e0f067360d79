#pragma once
// Why a service did not do what it was asked: a value at the boundary between a service and its
// edge. Services say what kind of "no" it is; only the edge knows how to answer it (an HTTP
// endpoint maps the kind to a status), so no service learns HTTP.
#include <string>

namespace knutpunkt {

enum class FailureKind {
  conflict,             // not possible in the current state, or the same thing is under way (the default)
  invalid,              // the request itself is wrong
  not_found,            // no such thing, or not one the caller may know of
  not_allowed,          // outside what the consent or policy allows
  precondition_failed,  // made from an out-of-date copy (If-Match)
  unavailable,          // not now: the store or audit log failed, or the thing is busy; try again
};

struct Failure {
  std::string code;        // machine-readable, e.g. "unknown_referral"
  std::string message;     // English, no personal data
  std::string field = {};  // the offending field or header, when one is to blame
  FailureKind kind = FailureKind::conflict;
};

}  // namespace knutpunkt
