package com.permamind.gateway.simulator;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * A HyperBEAM dynamic-read path, {@code /{pid}~process@1.0/{now|compute}/~lua@5.3a&module={tx}/{fn}/serialize~json@1.0},
 * or the state read {@code /{pid}~process@1.0/{now|compute}/skills}.
 *
 * @param mode     {@code now} or {@code compute}
 * @param moduleId {@code null} for the state read
 * @param function lowercased, as the node looks functions up
 */
record HyperBeamPath(String processId, String mode, String moduleId, String function) {

    static final String NOW = "now";

    static final String STATE_KEY = "skills";
    private static final String PROCESS_DEVICE = "~process@1.0";
    private static final String LUA_DEVICE = "~lua@5.3a&module=";
    private static final String SERIALIZER = "serialize~json@1.0";

    static Optional<HyperBeamPath> parse(String rawPath) {
        String[] segments = rawPath.startsWith("/") ? rawPath.substring(1).split("/", -1) : new String[0];
        try {
            for (int i = 0; i < segments.length; i++) {
                segments[i] = decode(segments[i]);
            }
        } catch (IllegalArgumentException malformedEscape) {
            return Optional.empty();
        }
        if (segments.length < 3 || !segments[0].endsWith(PROCESS_DEVICE) || !isComputeMode(segments[1])) {
            return Optional.empty();
        }
        String processId = segments[0].substring(0, segments[0].length() - PROCESS_DEVICE.length());
        if (segments.length == 3 && STATE_KEY.equals(segments[2])) {
            return Optional.of(new HyperBeamPath(processId, segments[1], null, STATE_KEY));
        }
        if (segments.length == 5 && segments[2].startsWith(LUA_DEVICE) && SERIALIZER.equals(segments[4])) {
            String moduleId = segments[2].substring(LUA_DEVICE.length());
            return Optional.of(new HyperBeamPath(processId, segments[1], moduleId, segments[3].toLowerCase(Locale.ROOT)));
        }
        return Optional.empty();
    }

    boolean isStateRead() {
        return moduleId == null;
    }

    boolean computesNow() {
        return NOW.equals(mode);
    }

    private static boolean isComputeMode(String segment) {
        return NOW.equals(segment) || "compute".equals(segment);
    }

    /** Percent-decoding only: in a path, '+' is a plus. */
    private static String decode(String segment) {
        return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
