package dev.runbook.transport.ssh;

import dev.runbook.inventory.Host;
import dev.runbook.transport.TransportException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Resolves how ONE host is reached, in one place: the inventory's variables (Ansible spellings
 * included: {@code ansible_ssh_common_args} / {@code ansible_ssh_extra_args} with ProxyJump, -J, a
 * {@code ssh -W %h:%p} ProxyCommand, User, Port, IdentityFile, UserKnownHostsFile, IdentitiesOnly;
 * our own {@code jump_host}), where an explicit variable wins over the same setting inside those
 * arguments, as with Ansible (its variables come first on ssh's command line, and ssh keeps the
 * first value of each option).
 */
public final class TargetResolver {
    private TargetResolver() {
    }

    /** The SSH target of {@code h}; {@code runBecomePassword} is the run's (--ask-become-pass), used where the inventory gives none. */
    public static SshTarget resolve(Host h, char[] runBecomePassword) {
        Map<String, Object> v = h.vars();
        SshArgs args = SshArgs.parse(str(v, "ansible_ssh_common_args") + " " + str(v, "ansible_ssh_extra_args"), h.name());
        String user = v.containsKey("user") || args.user == null ? h.user() : args.user;
        int port = v.containsKey("port") || args.port == null ? h.port() : args.port;
        String identity = h.identityFile() != null ? h.identityFile() : args.identityFile;
        String knownHosts = h.knownHosts() != null ? h.knownHosts() : args.knownHosts;
        String jumpSpec = v.get("jump_host") != null ? String.valueOf(v.get("jump_host")) : args.proxyJump;
        List<SshTarget.Jump> jumps = jumps(jumpSpec, user, h.name());
        String becomeUser = first(v, "become_user", "ansible_become_user");
        String pw = first(v, "become_password", "ansible_become_password", "ansible_become_pass");
        char[] password = pw != null ? pw.toCharArray() : runBecomePassword;
        boolean identitiesOnly = truthy(v.get("identities_only")) || Boolean.TRUE.equals(args.identitiesOnly);
        String agent = args.identityAgent != null ? args.identityAgent : System.getenv("SSH_AUTH_SOCK");
        Path agentSocket = agent == null || agent.isBlank() || agent.equalsIgnoreCase("none") ? null : expand(agent);
        return new SshTarget(h.name(), h.address(), port, user, expand(identity), expand(knownHosts), h.become(),
                !"false".equals(String.valueOf(v.get("persistent_shell"))), jumps, becomeUser, password, identitiesOnly, agentSocket);
    }

    /**
     * How {@code h} is reached, in one line for plans, journals and reports:
     * {@code ops@10.0.0.11:22 via ops@bastion:22, sudo} ({@code local} for the control machine).
     */
    public static String reach(Host h) {
        if (h.local()) {
            return "local";
        }
        SshTarget t = resolve(h, null);
        return t.user() + "@" + t.address() + ":" + t.port() + (t.jumps().isEmpty() ? "" : " " + t.route())
                + (t.become() == null ? "" : ", sudo" + (t.becomeUser() == null ? "" : " as " + t.becomeUser()));
    }

    /**
     * A ProxyJump value: {@code [user@]host[:port][,[user@]host[:port]...]} ({@code none}: no jump).
     * A jump without a user logs in as {@code defaultUser} (the host's own login user).
     */
    static List<SshTarget.Jump> jumps(String spec, String defaultUser, String host) {
        if (spec == null || spec.isBlank() || spec.trim().equalsIgnoreCase("none")) {
            return List.of();
        }
        List<SshTarget.Jump> out = new ArrayList<>();
        for (String part : spec.trim().split(",")) {
            String p = part.trim();
            if (p.startsWith("ssh://")) {
                p = p.substring("ssh://".length());
            }
            String user = defaultUser;
            int at = p.lastIndexOf('@');
            if (at >= 0) {
                user = p.substring(0, at);
                p = p.substring(at + 1);
            }
            int port = 22;
            String address = p;
            if (p.startsWith("[")) {
                int close = p.indexOf(']');
                if (close < 0) {
                    throw bad(host, spec, "an unclosed '['");
                }
                address = p.substring(1, close);
                if (p.length() > close + 1) {
                    if (p.charAt(close + 1) != ':') {
                        throw bad(host, spec, "text after ']'");
                    }
                    port = port(p.substring(close + 2), host, spec);
                }
            } else if (p.indexOf(':') >= 0 && p.indexOf(':') == p.lastIndexOf(':')) {
                address = p.substring(0, p.indexOf(':'));
                port = port(p.substring(p.indexOf(':') + 1), host, spec);
            }
            if (address.isEmpty() || user.isEmpty()) {
                throw bad(host, spec, "an empty host or user");
            }
            out.add(new SshTarget.Jump(user, address, port));
        }
        return List.copyOf(out);
    }

    private static int port(String s, String host, String spec) {
        try {
            int p = Integer.parseInt(s);
            if (p < 1 || p > 65535) {
                throw bad(host, spec, "port " + s + " out of range");
            }
            return p;
        } catch (NumberFormatException e) {
            throw bad(host, spec, "port '" + s + "' is not a number");
        }
    }

    private static TransportException bad(String host, String spec, String why) {
        return new TransportException(host, "cannot read the jump host list '" + spec + "': " + why,
                "write it as ProxyJump takes it: [user@]host[:port][,[user@]host[:port]...]", null);
    }

    private static String first(Map<String, Object> v, String... keys) {
        for (String k : keys) {
            Object o = v.get(k);
            if (o != null && !String.valueOf(o).isEmpty()) {
                return String.valueOf(o);
            }
        }
        return null;
    }

    private static String str(Map<String, Object> v, String key) {
        Object o = v.get(key);
        return o == null ? "" : String.valueOf(o);
    }

    static boolean truthy(Object o) {
        return o != null && List.of("true", "yes", "on", "1").contains(String.valueOf(o).toLowerCase(java.util.Locale.ROOT));
    }

    /** A path from the inventory, with a leading ~ meaning the home directory of the user running the engine. */
    public static Path expand(String path) {
        if (path == null) {
            return null;
        }
        if (path.equals("~") || path.startsWith("~/")) {
            return Path.of(System.getProperty("user.home") + path.substring(1));
        }
        return Path.of(path);
    }
}
