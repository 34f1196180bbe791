package dev.runbook.action.etcd;

import dev.runbook.action.StepContext;
import dev.runbook.error.RunbookException;
import dev.runbook.parse.Fields;
import dev.runbook.template.Template;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which etcd cluster an etcd action talks to, and how: client endpoints, where the TLS material
 * comes from, how each member's client port is reached, the per-call deadline. From the step's
 * keys, else the inventory variables {@code etcd_endpoints}, {@code etcd_ca}/{@code etcd_cert}/
 * {@code etcd_key} (files on this machine) or {@code etcd_member_ca}/{@code etcd_member_cert}/
 * {@code etcd_member_key} (files on the members; none given: found there), and {@code etcd_access};
 * else the addresses of the {@code etcd} group's hosts ({@code https://<address>:2379}).
 */
public record EtcdTarget(List<String> endpoints, Tls tls, Access access, Duration callTimeout) {
    /** A target whose TLS files (or none: plain http) are on this machine, reached directly. */
    public EtcdTarget(List<String> endpoints, Path ca, Path cert, Path key, Duration callTimeout) {
        this(endpoints, ca == null ? Tls.NONE : Tls.control(ca, cert, key), Access.DIRECT, callTimeout);
    }

    /** The TLS source as one key: clients, channels and TLS contexts are shared per endpoint(s) and this. */
    String tlsKey() {
        return tls.id();
    }

    /** The same target with another per-call deadline. */
    EtcdTarget withCallTimeout(Duration d) {
        return new EtcdTarget(endpoints, tls, access, d);
    }

    /** How the engine reaches a member's client port ({@code etcd_access}). */
    public enum Access {
        /** Straight from this machine. */
        DIRECT,
        /** Through the SSH connection of the inventory host that owns the client URL. */
        SSH,
        /** Direct when the client port answers from this machine at the first contact, else SSH. */
        AUTO;

        static Access parse(String v) {
            if (v == null || v.isBlank()) {
                return AUTO;
            }
            try {
                return valueOf(v.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw RunbookException.invalid(null, "etcd_access must be direct, ssh or auto, not '" + v + "'",
                        "direct: this machine reaches the client ports; ssh: through each member's SSH connection; auto: direct when it answers");
            }
        }

        String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Where the client's TLS material comes from: files on this machine, files on the members
     * (explicit paths, or null ones found there: etcd's own flags, kubeadm's and etcdadm's
     * defaults), or none (plain http).
     */
    public record Tls(Kind kind, String ca, String cert, String key) {
        static final Tls NONE = new Tls(Kind.NONE, null, null, null);

        /** See the record. */
        public enum Kind { NONE, CONTROL, MEMBERS }

        static Tls control(Path ca, Path cert, Path key) {
            return new Tls(Kind.CONTROL, ca.toString(), cert == null ? null : cert.toString(), key == null ? null : key.toString());
        }

        String id() {
            return kind + "|" + ca + "|" + cert + "|" + key;
        }

        /** For plans and messages. */
        String describe() {
            return switch (kind) {
                case NONE -> "plain http";
                case CONTROL -> "TLS files on this machine";
                case MEMBERS -> ca == null && cert == null ? "TLS material found on the members, read as root into memory"
                        : "TLS files " + String.join(", ", java.util.stream.Stream.of(ca, cert, key).filter(x -> x != null).toList())
                                + " on the members, read as root into memory";
            };
        }
    }

    /** The unrendered connection keys of one step. */
    public record Spec(Template endpoints, Template ca, Template cert, Template key, Duration callTimeout) {
        static final String[] KEYS = {"endpoints", "ca", "cert", "key", "call_timeout"};

        public static Spec parse(Fields f) {
            return new Spec(f.text("endpoints"), f.text("ca"), f.text("cert"), f.text("key"), f.duration("call_timeout", Duration.ofSeconds(5)));
        }

        /** Resolves against the host's (usually control's) variables. */
        public EtcdTarget resolve(StepContext ctx) {
            return resolve(ctx.scope(), ctx::render, ctx.where());
        }

        /**
         * The cluster as these variables describe it (etcd_endpoints or group etcd, etcd_ca/cert/key,
         * etcd_member_*, etcd_access), for callers outside a step (a drill's own reads and writes).
         */
        public static EtcdTarget fromVars(Map<String, Object> vars, Duration callTimeout, String where) {
            return new Spec(null, null, null, null, callTimeout).resolve(vars, t -> {
                throw new IllegalStateException("no template to render outside a step");
            }, where);
        }

        private EtcdTarget resolve(Map<String, Object> vars, java.util.function.Function<Template, String> render, String where) {
            String eps = endpoints != null ? render.apply(endpoints) : str(vars.get("etcd_endpoints"));
            if (eps == null) {
                eps = fromGroup(vars);
            }
            if (eps == null || eps.isBlank()) {
                throw RunbookException.invalid(endpoints != null ? endpoints.at() : null, "no etcd endpoints " + where,
                        "set etcd_endpoints in the inventory (https://10.0.0.1:2379,...), give endpoints: on the step, or put the members in group 'etcd'");
            }
            List<String> list = new ArrayList<>();
            for (String e : eps.split("[,\\s]+")) {
                if (!e.isBlank()) {
                    list.add(e.contains("://") ? e : "https://" + e);
                }
            }
            Path caPath = path(render, ca, vars, "etcd_ca");
            Path certPath = path(render, cert, vars, "etcd_cert");
            Path keyPath = path(render, key, vars, "etcd_key");
            boolean tls = list.stream().anyMatch(e -> e.startsWith("https://"));
            Access access = Access.parse(str(vars.get("etcd_access")));
            Tls source;
            if (caPath != null || certPath != null || keyPath != null) {
                if (caPath == null) {
                    throw RunbookException.invalid(null, "etcd_cert/etcd_key given but no etcd_ca " + where,
                            "set etcd_ca too, or leave all three out to use the members' own files");
                }
                for (Path p : new Path[] {caPath, certPath, keyPath}) {
                    if (p != null && !Files.isReadable(p)) {
                        throw RunbookException.invalid(null, "TLS file " + p + " is not readable on the machine running runbook " + where,
                                "etcd_ca/etcd_cert/etcd_key are paths on this machine; for files on the members use etcd_member_ca/"
                                        + "etcd_member_cert/etcd_member_key, or set none of them to use what the members' etcd uses");
                    }
                }
                source = Tls.control(caPath, certPath, keyPath);
            } else if (tls) {
                String mca = str(vars.get("etcd_member_ca"));
                String mcert = str(vars.get("etcd_member_cert"));
                String mkey = str(vars.get("etcd_member_key"));
                if ((mcert == null) != (mkey == null)) {
                    throw RunbookException.invalid(null, "etcd_member_cert and etcd_member_key go together " + where,
                            "give both (the client certificate and its key on the members), or neither to find them there");
                }
                source = new Tls(Tls.Kind.MEMBERS, blankToNull(mca), blankToNull(mcert), blankToNull(mkey));
            } else {
                source = Tls.NONE;
            }
            return new EtcdTarget(List.copyOf(list), source, access, callTimeout);
        }

        /** For plans: the endpoints as far as they can be known without connecting. */
        public String describe(StepContext ctx) {
            try {
                EtcdTarget t = resolve(ctx);
                return String.join(",", t.endpoints()) + " (" + t.tls().describe() + "; access " + t.access().word()
                        + (t.access() == Access.AUTO ? ": direct when the client port answers, else through the member's SSH" : "") + ")";
            } catch (RunbookException e) {
                return "<<etcd endpoints: " + e.getMessage() + ">>";
            }
        }

        private static Path path(java.util.function.Function<Template, String> render, Template t, Map<String, Object> vars, String var) {
            String v = t != null ? render.apply(t) : str(vars.get(var));
            if (v == null || v.isBlank()) {
                return null;
            }
            return v.startsWith("~/") ? Path.of(System.getProperty("user.home"), v.substring(2)) : Path.of(v);
        }

        @SuppressWarnings("unchecked")
        private static String fromGroup(Map<String, Object> vars) {
            if (!(vars.get("groups") instanceof Map<?, ?> groups) || !(groups.get("etcd") instanceof List<?> hosts)
                    || !(vars.get("hostvars") instanceof Map<?, ?> hv)) {
                return null;
            }
            List<String> out = new ArrayList<>();
            for (Object h : hosts) {
                Map<String, Object> v = (Map<String, Object>) ((Map<Object, Object>) hv).get(h);
                Object url = v == null ? null : v.get("etcd_client_url");
                out.add(url != null ? String.valueOf(url) : "https://" + (v == null ? h : v.getOrDefault("address", h)) + ":2379");
            }
            return String.join(",", out);
        }

        private static String str(Object o) {
            return o == null ? null : String.valueOf(o);
        }

        private static String blankToNull(String s) {
            return s == null || s.isBlank() ? null : s.trim();
        }
    }

    /** Reads the common keys; the caller declares its own keys and calls finish(). */
    public static Spec spec(Fields f) {
        f.allow(Spec.KEYS);
        return Spec.parse(f);
    }

    /** An endpoint for a member named by host name ({@code etcd-02}) or given as a URL. */
    public String endpointOf(String member, Map<String, Object> scope) {
        if (member.contains("://")) {
            return member;
        }
        if (scope.get("hostvars") instanceof Map<?, ?> hv && hv.get(member) instanceof Map<?, ?> v) {
            if (v.get("etcd_client_url") != null) {
                return String.valueOf(v.get("etcd_client_url"));
            }
            String address = String.valueOf(v.get("address"));
            for (String e : endpoints) {
                if (e.contains("//" + address + ":")) {
                    return e;
                }
            }
            return (tls.kind() != Tls.Kind.NONE ? "https://" : "http://") + address + ":2379";
        }
        for (String e : endpoints) {
            if (e.contains(member)) {
                return e;
            }
        }
        throw new IllegalArgumentException("'" + member + "' is neither a URL, an inventory host nor one of " + endpoints);
    }
}
