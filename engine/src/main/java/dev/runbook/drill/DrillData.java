package dev.runbook.drill;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The drill's known data: keys {@code <prefix><batch>/k<i>} with values derived from the key, so
 * the verification needs no copy of them. Written through the etcd API in transactions of 100,
 * each acknowledged before the next; verified by reading the whole prefix back.
 */
public final class DrillData {
    private final Client client;
    private final String prefix;

    /** @param prefix e.g. {@code /runbook-drill/<drill-id>/}; everything the drill writes is under it */
    public DrillData(Client client, String prefix) {
        this.client = client;
        this.prefix = prefix;
    }

    /** Writes {@code n} keys of one batch ("before" the backup, "after" it); returns the keys written. */
    public int write(String batch, int n) throws Exception {
        for (int start = 0; start < n; start += 100) {
            List<Op> ops = new ArrayList<>();
            for (int i = start; i < Math.min(n, start + 100); i++) {
                String k = key(batch, i);
                ops.add(Op.put(bytes(k), bytes(value(k)), PutOption.DEFAULT));
            }
            client.getKVClient().txn().Then(ops.toArray(Op[]::new)).commit().get(30, TimeUnit.SECONDS);
        }
        return n;
    }

    /** What a batch looks like in the cluster now. */
    public record Check(String batch, int expected, int present, int wrongValue) {
        public boolean complete() {
            return present == expected && wrongValue == 0;
        }

        public boolean absent() {
            return present == 0;
        }
    }

    /** Reads the batch back (a linearizable read) and counts present keys and wrong values. */
    public Check check(String batch, int expected) throws Exception {
        String p = prefix + batch + "/";
        List<KeyValue> kvs = client.getKVClient().get(bytes(p), GetOption.builder().isPrefix(true).build()).get(60, TimeUnit.SECONDS).getKvs();
        Map<String, String> got = new TreeMap<>();
        for (KeyValue kv : kvs) {
            got.put(kv.getKey().toString(StandardCharsets.UTF_8), kv.getValue().toString(StandardCharsets.UTF_8));
        }
        int present = 0;
        int wrong = 0;
        for (int i = 0; i < expected; i++) {
            String k = key(batch, i);
            String v = got.get(k);
            if (v != null) {
                present++;
                if (!v.equals(value(k))) {
                    wrong++;
                }
            }
        }
        return new Check(batch, expected, present, wrong);
    }

    private String key(String batch, int i) {
        return prefix + batch + "/k" + i;
    }

    /** A value that depends on the key, so a key carrying another key's value is caught. */
    static String value(String key) {
        return "v-" + Integer.toHexString(key.hashCode()) + "-" + key.length();
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }
}
