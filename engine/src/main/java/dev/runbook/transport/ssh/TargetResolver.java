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

    /**
     * The SSH target of {@code h}: the inventory's explicit variables first, then the options in
     * its ssh arguments, then the OpenSSH config file (-F, RUNBOOK_SSH_CONFIG, else
     * ~/.ssh/config) for the host's address, then defaults. {@code runBecomePassword} is the run's
     * (--ask-become-pass), used where the inventory gives none.
     */
    public static SshTarget resolve(Host h, char[] runBecomePassword) {
        Map<String, Object> v = h.vars();
        SshArgs args = SshArgs.parse(str(v, "ansible_ssh_common_args") + " " + str(v, "ansible_ssh_extra_args"), h.name());
        Path configFile = configFile(args);
        OpenSshConfig.Settings cfg = OpenSshConfig.lookup(configFile, h.address(), h.name());
        String address = cfg.hostName() != null ? cfg.hostName() : h.address();
        String user = v.containsKey("user") ? h.user() : args.user != null ? args.user : cfg.user() != null ? cfg.user() : h.user();
        int port = v.containsKey("port") ? h.port() : args.port != null ? args.port : cfg.port() != null ? cfg.port() : h.port();
        String identity = h.identityFile() != null ? h.identityFile() : args.identityFile;
        String knownHosts = h.knownHosts() != null ? h.knownHosts() : args.knownHosts != null ? args.knownHosts : cfg.knownHosts();
        String jumpSpec = v.get("jump_host") != null ? String.valueOf(v.get("jump_host")) : args.proxyJump != null ? args.proxyJump : cfg.proxyJump();
        List<SshTarget.Jump> jumps = new ArrayList<>();
        for (SshTarget.Jump j : parseJumps(jumpSpec, h.name())) {
            // each jump's own name goes through the config too (HostName, Port, User), as with ssh
            OpenSshConfig.Settings jc = OpenSshConfig.lookup(configFile, j.address(), h.name());
            jumps.add(new SshTarget.Jump(j.user() != null ? j.user() : jc.user() != null ? jc.user() : user,
                    jc.hostName() != null ? jc.hostName() : j.address(), j.port() != 0 ? j.port() : jc.port() != null ? jc.port() : 22));
        }
        String becomeUser = first(v, "become_user", "ansible_become_user");
        String pw = first(v, "become_password", "ansible_become_password", "ansible_become_pass");
        char[] password = pw != null ? pw.toCharArray() : runBecomePassword;
        boolean identitiesOnly = truthy(v.get("identities_only")) || Boolean.TRUE.equals(args.identitiesOnly)
                || (args.identitiesOnly == null && Boolean.TRUE.equals(cfg.identitiesOnly()));
        String agent = args.identityAgent != null ? args.identityAgent : cfg.identityAgent() != null ? cfg.identityAgent() : System.getenv("SSH_AUTH_SOCK");
        if (agent != null && agent.equals("SSH_AUTH_SOCK")) {
            agent = System.getenv("SSH_AUTH_SOCK");
        }
        Path agentSocket = agent == null || agent.isBlank() || agent.equalsIgnoreCase("none") ? null : expand(agent);
        List<Path> configIds = cfg.identityFiles().stream().map(TargetResolver::expand).toList();
        return new SshTarget(h.name(), address, port, user, expand(identity), expand(knownHosts), h.become(),
                !"false".equals(String.valueOf(v.get("persistent_shell"))), List.copyOf(jumps), becomeUser, password, identitiesOnly,
                agentSocket, configIds);
    }

    /** The OpenSSH config file to read: -F in the host's ssh arguments, else RUNBOOK_SSH_CONFIG, else ~/.ssh/config; null for "none". */
    static Path configFile(SshArgs args) {
        String f = args.configFile != null ? args.configFile : System.getenv("RUNBOOK_SSH_CONFIG");
        if (f == null) {
            return OpenSshConfig.defaultFile();
        }
        return f.equalsIgnoreCase("none") ? null : expand(f);
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

    /** Whether a {@link #reach} says more than the host's address: a jump host or sudo (plans print only those). */
    public static boolean worthSaying(String reach) {
        return reach.contains(" via ") || reach.contains(", sudo");
    }

    /**
     * A ProxyJump value: {@code [user@]host[:port][,[user@]host[:port]...]} ({@code none}: no jump).
     * A jump without a user logs in as {@code defaultUser} (the host's own login user), port 22.
     */
    static List<SshTarget.Jump> jumps(String spec, String defaultUser, String host) {
        return parseJumps(spec, host).stream()
                .map(j -> new SshTarget.Jump(j.user() != null ? j.user() : defaultUser, j.address(), j.port() != 0 ? j.port() : 22)).toList();
    }

    /** The jumps as written: user null and port 0 where the list gives none. */
    private static List<SshTarget.Jump> parseJumps(String spec, String host) {
        if (spec == null || spec.isBlank() || spec.trim().equalsIgnoreCase("none")) {
            return List.of();
        }
        List<SshTarget.Jump> out = new ArrayList<>();
        for (String part : spec.trim().split(",")) {
            String p = part.trim();
            if (p.startsWith("ssh://")) {
                p = p.substring("ssh://".length());
            }
            String user = null;
            int at = p.lastIndexOf('@');
            if (at >= 0) {
                user = p.substring(0, at);
                p = p.substring(at + 1);
            }
            int port = 0;
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
            if (address.isEmpty() || (user != null && user.isEmpty())) {
                throw bad(host, spec, "an empty host or user");
            }
            out.add(new SshTarget.Jump(user, address, port));
        }
        return out;
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
