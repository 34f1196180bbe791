package dev.runbook.action.etcd;

import dev.runbook.action.HostLinks;
import dev.runbook.inventory.Host;
import dev.runbook.template.ShellQuote;
import dev.runbook.transport.ExecOptions;
import dev.runbook.transport.ExecResult;
import dev.runbook.transport.Transport;
import dev.runbook.transport.TransportException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an etcd client's TLS material on a member, over the run's SSH connection to it and as
 * root (through sudo when the login is not root), into memory: nothing is written on this
 * machine, nothing is journaled. Paths not given by the inventory are found on the member by
 * {@code find-tls.bash} (the running etcd's flags, its manifest or env file, kubeadm's and
 * etcdadm's defaults). The first member that answers is used; a member whose files are wrong
 * (a key that is not the certificate's) stops the search with that member's file named.
 */
final class MemberTls {
    private static final String SCRIPT = dev.runbook.template.ShellScript.load(MemberTls.class, "find-tls.bash");

    private MemberTls() {
    }

    /** The material from the first of {@code members} that has it; an error naming each member's reason when none has. */
    static TlsMaterial read(EtcdTarget.Tls tls, List<Host> members, HostLinks links, Duration timeout) {
        if (members.isEmpty()) {
            throw new EtcdClients.EtcdException("the etcd TLS material is to be read on the members, but no inventory host owns an etcd endpoint",
                    "give the members' hosts etcd_client_url (or the address in the endpoint), or set etcd_ca/etcd_cert/etcd_key to files on this machine");
        }
        Map<String, String> failures = new LinkedHashMap<>();
        for (Host h : members) {
            Transport t;
            try {
                t = links.transport(h);
            } catch (TransportException e) {
                failures.put(h.name(), e.getMessage());
                continue;
            }
            Map<String, String> found;
            try {
                found = find(t, forHost(tls, h), timeout);
            } catch (TransportException | IllegalStateException e) {
                failures.put(h.name(), e.getMessage());
                continue;
            }
            if (found.containsKey("error")) {
                failures.put(h.name(), found.get("error"));
                continue;
            }
            String ca = found.get("ca");
            String cert = blank(found.get("cert"));
            String key = blank(found.get("key"));
            byte[] caPem = readFile(t, h, ca);
            byte[] certPem = cert == null ? null : readFile(t, h, cert);
            byte[] keyPem = key == null ? null : readFile(t, h, key);
            String origin = h.name() + ": CA " + ca + (cert == null ? ", no client certificate" : ", client " + cert + " + " + key
                    + " (" + found.get("client") + ")") + ", found from " + found.get("from");
            try {
                return TlsMaterial.parse(caPem, h.name() + ":" + ca, certPem, h.name() + ":" + cert, keyPem, h.name() + ":" + key, origin);
            } catch (IllegalArgumentException e) {
                throw new EtcdClients.EtcdException("etcd TLS material on " + h.name() + ": " + e.getMessage(),
                        "the files were " + origin + "; name the right ones with etcd_member_ca, etcd_member_cert and etcd_member_key");
            }
        }
        StringBuilder sb = new StringBuilder("no member gave the etcd TLS material:");
        failures.forEach((host, why) -> sb.append("\n  ").append(host).append(": ").append(why));
        throw new EtcdClients.EtcdException(sb.toString(),
                "name the files with etcd_member_ca, etcd_member_cert and etcd_member_key (paths on the members), or etcd_ca/etcd_cert/etcd_key on this machine");
    }

    /** The paths to use on {@code h}: its own etcd_member_* variables (members may keep their files in different places), else the target's. */
    static EtcdTarget.Tls forHost(EtcdTarget.Tls tls, Host h) {
        return new EtcdTarget.Tls(tls.kind(), var(h, "etcd_member_ca", tls.ca()), var(h, "etcd_member_cert", tls.cert()),
                var(h, "etcd_member_key", tls.key()));
    }

    private static String var(Host h, String name, String dflt) {
        Object v = h.vars().get(name);
        return v == null || String.valueOf(v).isBlank() ? dflt : String.valueOf(v).trim();
    }

    private static Map<String, String> find(Transport t, EtcdTarget.Tls tls, Duration timeout) {
        String cmd = SCRIPT + "\nfind_tls " + ShellQuote.quote(nz(tls.ca())) + " " + ShellQuote.quote(nz(tls.cert())) + " "
                + ShellQuote.quote(nz(tls.key())) + "\n";
        ExecResult r = t.exec(cmd, new ExecOptions(timeout, () -> false, ExecOptions.DEFAULT_KEEP));
        if (r.exitCode() != 0) {
            throw new IllegalStateException("looking for etcd's TLS files failed (exit " + r.exitCode() + "): " + r.stderr().strip());
        }
        Map<String, String> out = dev.runbook.template.ShellScript.keyValues(r.stdout());
        if (!out.containsKey("ca") && !out.containsKey("error")) {
            throw new IllegalStateException("looking for etcd's TLS files printed nothing usable: " + r.stdout().strip());
        }
        return out;
    }

    private static byte[] readFile(Transport t, Host h, String path) {
        try {
            return t.read(path);
        } catch (TransportException | UncheckedIOException e) {
            throw new EtcdClients.EtcdException("cannot read the etcd TLS file " + h.name() + ":" + path + " (as root): " + e.getMessage(),
                    "check the path on " + h.name() + " (etcd_member_ca/etcd_member_cert/etcd_member_key name the files there)");
        }
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** The hosts that own the target's endpoints, in endpoint order, each once. */
    static List<Host> owners(EtcdTarget t, HostLinks links) {
        List<Host> out = new ArrayList<>();
        for (String ep : t.endpoints()) {
            java.net.URI u = java.net.URI.create(ep);
            Host h = Routes.owner(ep, u.getHost(), links);
            // a local owner too: runbook run on a control-plane node reads that node's own files
            if (h != null && !out.contains(h)) {
                out.add(h);
            }
        }
        return out;
    }
}
