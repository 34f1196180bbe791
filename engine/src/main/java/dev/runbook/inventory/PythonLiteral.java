package dev.runbook.inventory;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A value of an Ansible INI inventory as Ansible reads it: Python's {@code ast.literal_eval} of the
 * text when it is a literal (numbers, quoted strings, True/False/None, lists, tuples, dicts), else
 * the text itself. {@code 22} is a number, {@code "a b"} the string a b, {@code [1, 2]} a list,
 * {@code yes} and {@code true} stay strings, as they do for Ansible.
 */
final class PythonLiteral {
    private final String s;
    private int i;

    private PythonLiteral(String s) {
        this.s = s;
    }

    /** The value of {@code text}: a literal's (Long, BigInteger, Double, String, Boolean, null, List, Map), or the text. */
    static Object value(String text) {
        PythonLiteral p = new PythonLiteral(text);
        try {
            p.skip();
            Object v = p.expr();
            p.skip();
            if (p.i != p.s.length()) {
                return text;
            }
            return v;
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            return text;
        }
    }

    private Object expr() {
        skip();
        char c = s.charAt(i);
        Object v;
        if (c == '[') {
            v = sequence('[', ']');
        } else if (c == '(') {
            v = tuple();
        } else if (c == '{') {
            v = dict();
        } else if (c == '"' || c == '\'' || ((c == 'u' || c == 'U') && i + 1 < s.length() && (s.charAt(i + 1) == '"' || s.charAt(i + 1) == '\''))) {
            v = strings();
        } else if (c == '-' || c == '+' || Character.isDigit(c) || c == '.') {
            v = number();
        } else {
            v = name();
        }
        return v;
    }

    private List<Object> sequence(char open, char close) {
        i++; // open
        List<Object> out = new ArrayList<>();
        skip();
        while (s.charAt(i) != close) {
            out.add(expr());
            skip();
            if (s.charAt(i) == ',') {
                i++;
                skip();
            } else if (s.charAt(i) != close) {
                throw new IllegalArgumentException("expected , or " + close);
            }
        }
        i++;
        return out;
    }

    private Object tuple() {
        // (x) is x; (x,) and (x, y) are tuples (JSON arrays)
        int start = i;
        i++;
        skip();
        if (s.charAt(i) == ')') {
            i++;
            return List.of();
        }
        Object first = expr();
        skip();
        if (s.charAt(i) == ')') {
            i++;
            return first;
        }
        i = start;
        return sequence('(', ')');
    }

    private Map<Object, Object> dict() {
        i++;
        Map<Object, Object> out = new LinkedHashMap<>();
        skip();
        while (s.charAt(i) != '}') {
            Object k = expr();
            skip();
            if (s.charAt(i) != ':') {
                throw new IllegalArgumentException("a set, not a dict");
            }
            i++;
            Object v = expr();
            out.put(k instanceof String ? k : String.valueOf(k), v);
            skip();
            if (s.charAt(i) == ',') {
                i++;
                skip();
            } else if (s.charAt(i) != '}') {
                throw new IllegalArgumentException("expected , or }");
            }
        }
        i++;
        return out;
    }

    /** One or more adjacent string literals ("a" 'b' is "ab" in Python). */
    private String strings() {
        StringBuilder b = new StringBuilder();
        do {
            if (s.charAt(i) == 'u' || s.charAt(i) == 'U') {
                i++;
            }
            b.append(string());
            skip();
        } while (i < s.length() && (s.charAt(i) == '"' || s.charAt(i) == '\''));
        return b.toString();
    }

    private String string() {
        char q = s.charAt(i);
        boolean triple = s.startsWith(String.valueOf(q).repeat(3), i);
        i += triple ? 3 : 1;
        StringBuilder b = new StringBuilder();
        while (true) {
            char c = s.charAt(i);
            if (triple ? s.startsWith(String.valueOf(q).repeat(3), i) : c == q) {
                i += triple ? 3 : 1;
                return b.toString();
            }
            if (c == '\n' && !triple) {
                throw new IllegalArgumentException("unterminated string");
            }
            if (c == '\\') {
                char e = s.charAt(i + 1);
                i += 2;
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'r' -> b.append('\r');
                    case '0' -> b.append('\0');
                    case 'a' -> b.append('\u0007');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'v' -> b.append('\u000b');
                    case '\\', '\'', '"' -> b.append(e);
                    case '\n' -> { }
                    case 'x' -> {
                        b.append((char) Integer.parseInt(s.substring(i, i + 2), 16));
                        i += 2;
                    }
                    case 'u' -> {
                        b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> b.append('\\').append(e);
                }
                continue;
            }
            b.append(c);
            i++;
        }
    }

    private Object number() {
        int start = i;
        boolean negative = false;
        while (s.charAt(i) == '-' || s.charAt(i) == '+') {
            negative ^= s.charAt(i) == '-';
            i++;
            skip();
        }
        int digits = i;
        while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_' || s.charAt(i) == '.'
                || ((s.charAt(i) == '-' || s.charAt(i) == '+') && (s.charAt(i - 1) == 'e' || s.charAt(i - 1) == 'E')))) {
            i++;
        }
        String t = s.substring(digits, i).replace("_", "");
        if (t.isEmpty() || s.substring(digits, i).startsWith("_") || s.substring(digits, i).endsWith("_")) {
            throw new IllegalArgumentException("not a number: " + s.substring(start, i));
        }
        String low = t.toLowerCase(java.util.Locale.ROOT);
        Object v;
        if (low.startsWith("0x")) {
            v = new BigInteger(low.substring(2), 16);
        } else if (low.startsWith("0o")) {
            v = new BigInteger(low.substring(2), 8);
        } else if (low.startsWith("0b")) {
            v = new BigInteger(low.substring(2), 2);
        } else if (low.matches("[0-9]+")) {
            if (low.length() > 1 && low.startsWith("0") && !low.matches("0+")) {
                throw new IllegalArgumentException("leading zeros are not a Python 3 literal");
            }
            v = new BigInteger(low);
        } else if (low.matches("([0-9]+\\.?[0-9]*|\\.[0-9]+)(e[+-]?[0-9]+)?")) {
            double d = Double.parseDouble(low);
            return negative ? -d : d;
        } else {
            throw new IllegalArgumentException("not a number: " + t);
        }
        BigInteger n = negative ? ((BigInteger) v).negate() : (BigInteger) v;
        return n.bitLength() < 64 ? (Object) n.longValue() : n;
    }

    private Object name() {
        int start = i;
        while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
            i++;
        }
        return switch (s.substring(start, i)) {
            case "True" -> Boolean.TRUE;
            case "False" -> Boolean.FALSE;
            case "None" -> null;
            default -> throw new IllegalArgumentException("a name, not a literal");
        };
    }

    /** Spaces, and a comment to the end of the line (Python's tokenizer drops it). */
    private void skip() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '#') {
                while (i < s.length() && s.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
                i++;
            } else {
                return;
            }
        }
    }
}
