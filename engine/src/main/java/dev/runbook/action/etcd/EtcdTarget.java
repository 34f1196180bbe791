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
import java.util.Map;

/**
 * Which etcd cluster an etcd action talks to, and how: client endpoints, TLS files on the machine
 * running the engine, the per-call deadline. From the step's keys, else the inventory variables
 * {@code etcd_endpoints}, {@code etcd_ca}, {@code etcd_cert}, {@code etcd_key}, else the addresses of
 * the {@code etcd} group's hosts ({@code https://<address>:2379}).
 *
 * @param ca null for plain http
 */
public record EtcdTarget(List<String> endpoints, Path ca, Path cert, Path key, Duration callTimeout) {
    /** The TLS files as one key: clients, channels and TLS contexts are shared per endpoint(s) and these. */
    String tlsKey() {
        return ca + "|" + cert + "|" + key;
    }

    /** The unrendered connection keys of one step. */
    public record Spec(Template endpoints, Template ca, Template cert, Template key, Duration callTimeout) {
        static final String[] KEYS = {"endpoints", "ca", "cert", "key", "call_timeout"};

        public static Spec parse(Fields f) {
            return new Spec(f.text("endpoints"), f.text("ca"), f.text("cert"), f.text("key"), f.duration("call_timeout", Duration.ofSeconds(5)));
        }

        /** Resolves against the host's (usually control's) variables. */
        public EtcdTarget resolve(StepContext ctx) {
            Map<String, Object> vars = ctx.scope();
            String eps = endpoints != null ? ctx.render(endpoints) : str(vars.get("etcd_endpoints"));
            if (eps == null) {
                eps = fromGroup(vars);
            }
            if (eps == null || eps.isBlank()) {
                throw RunbookException.invalid(endpoints != null ? endpoints.at() : null, "no etcd endpoints " + ctx.where(),
                        "set etcd_endpoints in the inventory (https://10.0.0.1:2379,...), give endpoints: on the step, or put the members in group 'etcd'");
            }
            List<String> list = new ArrayList<>();
            for (String e : eps.split("[,\\s]+")) {
                if (!e.isBlank()) {
                    list.add(e.contains("://") ? e : "https://" + e);
                }
            }
            Path caPath = path(ctx, ca, vars, "etcd_ca");
            Path certPath = path(ctx, cert, vars, "etcd_cert");
            Path keyPath = path(ctx, key, vars, "etcd_key");
            boolean tls = list.stream().anyMatch(e -> e.startsWith("https://"));
            if (tls && caPath == null) {
                throw RunbookException.invalid(null, "https endpoints but no CA file " + ctx.where(),
                        "set etcd_ca (and etcd_cert/etcd_key for client-certificate auth) in the inventory");
            }
            for (Path p : new Path[] {caPath, certPath, keyPath}) {
                if (p != null && !Files.isReadable(p)) {
                    throw RunbookException.invalid(null, "TLS file " + p + " is not readable on the machine running runbook " + ctx.where(),
                            "etcd_ca/etcd_cert/etcd_key are paths on the control machine, not on the members");
                }
            }
            return new EtcdTarget(List.copyOf(list), caPath, certPath, keyPath, callTimeout);
        }

        /** For plans: the endpoints as far as they can be known without connecting. */
        public String describe(StepContext ctx) {
            try {
                EtcdTarget t = resolve(ctx);
                return String.join(",", t.endpoints()) + (t.ca() != null ? " (TLS)" : "");
            } catch (RunbookException e) {
                return "<<etcd endpoints: " + e.getMessage() + ">>";
            }
        }

        private static Path path(StepContext ctx, Template t, Map<String, Object> vars, String var) {
            String v = t != null ? ctx.render(t) : str(vars.get(var));
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
            return (ca != null ? "https://" : "http://") + address + ":2379";
        }
        for (String e : endpoints) {
            if (e.contains(member)) {
                return e;
            }
        }
        throw new IllegalArgumentException("'" + member + "' is neither a URL, an inventory host nor one of " + endpoints);
    }
}
