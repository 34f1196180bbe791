package dev.runbook.drill;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A disaster a drill rehearses: the runbook that injects it (shipped in {@code runbooks/drills/}),
 * the recovery runbook that must undo it, and which writes must survive. Victim, survivor and
 * spare are inventory hosts chosen by the drill (first member, last member, the spare).
 */
public enum Scenario {
    LOSE_ALL_DATA("lose-all-data", "etcd stopped and its data dir moved away on EVERY member; recovered from the backup",
            "restore-3node.yml", false),
    LOSE_QUORUM("lose-quorum", "etcd stopped and its data moved away on every member but one: quorum lost; the cluster rebuilt from the survivor",
            "force-new-cluster.yml", true),
    LOSE_MEMBER("lose-member", "one member powered down for good (etcd stopped, data moved away); its place given to the spare host",
            "member-replace.yml", true),
    CORRUPT_MEMBER("corrupt-member", "one member's database overwritten in the middle (a copy kept aside); the member replaced by the spare host",
            "member-replace.yml", true);

    public final String id;
    public final String summary;
    public final String recovery;
    /** Whether keys written after the backup must survive (the recovery keeps live data) or are lost (RPO). */
    public final boolean keepsLaterWrites;

    Scenario(String id, String summary, String recovery, boolean keepsLaterWrites) {
        this.id = id;
        this.summary = summary;
        this.recovery = recovery;
        this.keepsLaterWrites = keepsLaterWrites;
    }

    /** The scenario for a name, or null. */
    public static Scenario of(String name) {
        return Arrays.stream(values()).filter(s -> s.id.equals(name)).findFirst().orElse(null);
    }

    public static List<String> names() {
        return Arrays.stream(values()).map(s -> s.id).toList();
    }

    /** The injection runbook's file name under runbooks/drills/. */
    public String injectRunbook() {
        return id + ".yml";
    }

    /**
     * The recovery runbook for a cluster of {@code members} members: a one-member cluster that lost
     * its data is restore-1node's job.
     */
    public String recoveryFor(int members) {
        return this == LOSE_ALL_DATA && members == 1 ? "restore-1node.yml" : recovery;
    }

    /** The --var arguments of the injection runbook. */
    public Map<String, String> injectVars(String victim, String survivor) {
        return switch (this) {
            case LOSE_ALL_DATA -> Map.of();
            case LOSE_QUORUM -> Map.of("survivor", survivor);
            case LOSE_MEMBER, CORRUPT_MEMBER -> Map.of("victim", victim);
        };
    }

    /** The --var arguments of the recovery runbook. */
    public Map<String, String> recoveryVars(String snapshot, String victim, String survivor, String spare) {
        return switch (this) {
            case LOSE_ALL_DATA -> Map.of("snapshot", snapshot);
            case LOSE_QUORUM -> Map.of("survivor", survivor);
            case LOSE_MEMBER, CORRUPT_MEMBER -> Map.of("old", victim, "new", spare);
        };
    }
}
