package com.permamind.gateway.simulator;

/**
 * Case-insensitive comparison as the registry does it: only ASCII letters fold, every other
 * character compares as is (Lua on the node cannot fold other letters safely).
 */
final class AsciiFold {

    private AsciiFold() {
    }

    static String fold(String text) {
        StringBuilder folded = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            folded.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
        }
        return folded.toString();
    }

    static boolean contains(String text, String part) {
        return fold(text).contains(fold(part));
    }

    static boolean equals(String a, String b) {
        return fold(a).equals(fold(b));
    }
}
