#pragma once
// The audit index: what each audit record is searched by. AuditIndexEntry and
// index_entry(kind, body) are defined in store/audit_index_entry.h, because the store computes
// the entry while it commits the record (both in one transaction) and knutpunkt_audit depends on
// knutpunkt_store, not the other way round. Include this header from outside the store.
#include "store/audit_index_entry.h"
