package dev.asyncpatterns.console;

/**
 * A minimal JSON writer. Strings are escaped so that the output is also safe inside HTML: besides
 * JSON's own escapes, {@code < > & '} and U+2028/U+2029 become {@code \\uXXXX}, so an untrusted
 * payload such as {@code </script><img onerror=…>} can never close a tag or start one.
 */
final class Json {

    private final StringBuilder out = new StringBuilder(256);
    private boolean comma;

    Json beginObject() {
        separate();
        out.append('{');
        comma = false;
        return this;
    }

    Json endObject() {
        out.append('}');
        comma = true;
        return this;
    }

    Json beginArray() {
        separate();
        out.append('[');
        comma = false;
        return this;
    }

    Json endArray() {
        out.append(']');
        comma = true;
        return this;
    }

    Json name(String name) {
        separate();
        string(name);
        out.append(':');
        comma = false;
        return this;
    }

    Json value(String value) {
        separate();
        if (value == null) {
            out.append("null");
        } else {
            string(value);
        }
        comma = true;
        return this;
    }

    Json value(double value) {
        separate();
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            out.append("null");
        } else if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            out.append((long) value);
        } else {
            out.append(value);
        }
        comma = true;
        return this;
    }

    Json value(boolean value) {
        separate();
        out.append(value);
        comma = true;
        return this;
    }

    private void separate() {
        if (comma) {
            out.append(',');
            comma = false;
        }
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\'' || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
