package dev.runbook.transport.ssh;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The connection settings inside an inventory's extra ssh arguments ({@code ansible_ssh_common_args},
 * {@code ansible_ssh_extra_args}), read as ssh reads its command line: {@code -o Key=Value},
 * {@code -o "Key Value"}, {@code -oKey=Value}, {@code -J}, {@code -i}, {@code -p}, {@code -l};
 * the first value of each setting wins. A {@code ProxyCommand} of the usual bastion form
 * ({@code ssh [options] -W %h:%p [user@]bastion}) is read as a jump host. Anything else is left
 * alone (ssh options runbook has no use for are not an error).
 */
final class SshArgs {
    String proxyJump;
    String user;
    Integer port;
    String identityFile;
    String knownHosts;
    Boolean identitiesOnly;
    String identityAgent;
    /** -F: the ssh config file to read instead of ~/.ssh/config ("none": none). */
    String configFile;

    private SshArgs() {
    }

    static SshArgs parse(String line, String host) {
        SshArgs a = new SshArgs();
        List<String> words = words(line);
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            String next = i + 1 < words.size() ? words.get(i + 1) : null;
            if (w.equals("-o") && next != null) {
                a.option(next, host);
                i++;
            } else if (w.startsWith("-o") && w.length() > 2) {
                a.option(w.substring(2), host);
            } else if (w.equals("-J") && next != null) {
                a.proxyJump = a.proxyJump == null ? next : a.proxyJump;
                i++;
            } else if (w.startsWith("-J") && w.length() > 2) {
                a.proxyJump = a.proxyJump == null ? w.substring(2) : a.proxyJump;
            } else if (w.equals("-i") && next != null) {
                a.identityFile = a.identityFile == null ? next : a.identityFile;
                i++;
            } else if (w.equals("-p") && next != null) {
                a.option("Port=" + next, host);
                i++;
            } else if (w.equals("-F") && next != null) {
                a.configFile = a.configFile == null ? next : a.configFile;
                i++;
            } else if (w.equals("-l") && next != null) {
                a.user = a.user == null ? next : a.user;
                i++;
            }
        }
        return a;
    }

    private void option(String kv, String host) {
        int eq = kv.indexOf('=');
        int sp = kv.indexOf(' ');
        int cut = eq < 0 ? sp : sp < 0 ? eq : Math.min(eq, sp);
        if (cut <= 0) {
            return;
        }
        String key = kv.substring(0, cut).trim().toLowerCase(Locale.ROOT);
        String value = kv.substring(cut + 1).trim();
        if (value.startsWith("=")) {
            value = value.substring(1).trim();
        }
        if (!key.equals("proxycommand")) {
            // as ssh's own option reader: quotes inside the value, one word (the first) per setting
            List<String> w = words(value);
            value = w.isEmpty() ? "" : w.get(0);
        }
        switch (key) {
            case "proxyjump" -> proxyJump = proxyJump == null ? value : proxyJump;
            case "proxycommand" -> proxyJump = proxyJump == null ? jumpOfProxyCommand(value) : proxyJump;
            case "user" -> user = user == null ? value : user;
            case "port" -> {
                if (port == null) {
                    try {
                        port = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        throw new dev.runbook.transport.TransportException(host, "ssh option Port=" + value + " is not a number",
                                "check ansible_ssh_common_args / ansible_ssh_extra_args", null);
                    }
                }
            }
            case "identityfile" -> identityFile = identityFile == null ? value : identityFile;
            case "userknownhostsfile" -> knownHosts = knownHosts == null ? value : knownHosts;
            case "identityagent" -> identityAgent = identityAgent == null ? value : identityAgent;
            case "identitiesonly" -> identitiesOnly = identitiesOnly == null ? TargetResolver.truthy(value) : identitiesOnly;
            default -> {
                // an option runbook has no use for
            }
        }
    }

    /** {@code ssh [-q] [-p P] [-l U] [-i K] -W %h:%p [user@]host} as a ProxyJump value; null for any other command. */
    static String jumpOfProxyCommand(String command) {
        List<String> w = words(command);
        if (w.isEmpty() || !(w.get(0).equals("ssh") || w.get(0).endsWith("/ssh")) || !w.contains("-W")) {
            return null;
        }
        String user = null;
        String port = null;
        String target = null;
        for (int i = 1; i < w.size(); i++) {
            String x = w.get(i);
            if (x.equals("-W") || x.equals("-i") || x.equals("-o") || x.equals("-F")) {
                i++;
            } else if (x.equals("-p") && i + 1 < w.size()) {
                port = w.get(++i);
            } else if (x.equals("-l") && i + 1 < w.size()) {
                user = w.get(++i);
            } else if (!x.startsWith("-")) {
                target = x;
            }
        }
        if (target == null) {
            return null;
        }
        String spec = target.contains("@") || user == null ? target : user + "@" + target;
        return port == null ? spec : spec + ":" + port;
    }

    /** Splits a command line into words as a POSIX shell would for quotes and backslashes (no expansions). */
    static List<String> words(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean in = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '\\' && quote == '"' && i + 1 < line.length()) {
                    cur.append(line.charAt(++i));
                } else {
                    cur.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                in = true;
            } else if (c == '\\' && i + 1 < line.length()) {
                cur.append(line.charAt(++i));
                in = true;
            } else if (Character.isWhitespace(c)) {
                if (in) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    in = false;
                }
            } else {
                cur.append(c);
                in = true;
            }
        }
        if (in) {
            out.add(cur.toString());
        }
        return out;
    }
}
