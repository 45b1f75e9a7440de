package com.permamind.gateway.arweave;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The outcome of one drift check: does the module on Arweave hold the bytes the gateway runs?
 *
 * @param remoteSha256 null unless the module could be fetched
 * @param checkedAt    null until the first check
 */
public record ModuleDrift(Status status, String moduleId, String localSha256, String remoteSha256,
        Instant checkedAt, String detail) {

    public enum Status {
        /** No check has run yet. */
        NOT_CHECKED,
        /** Arweave serves the same bytes as the local module. */
        OK,
        /** Arweave serves other bytes: nodes run a module the gateway does not. */
        DRIFT,
        /** The Arweave gateway could not answer; nothing is known about drift. */
        UNREACHABLE
    }

    /** The fields that are known, by name, in a stable order: what a health check shows. */
    public Map<String, Object> details() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("status", status.name());
        details.put("moduleId", moduleId);
        details.put("localSha256", localSha256);
        if (remoteSha256 != null) {
            details.put("remoteSha256", remoteSha256);
        }
        if (checkedAt != null) {
            details.put("checkedAt", checkedAt.toString());
        }
        details.put("detail", detail);
        return details;
    }
}
