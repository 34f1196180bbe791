package dev.runbook.action.k8s;

import dev.runbook.action.ActionFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/** The Kubernetes control-plane actions by the names steps use ({@code k8s.bundle: {...}}). */
public final class K8sActions {
    private K8sActions() {
    }

    public static Map<String, ActionFactory> all() {
        Map<String, ActionFactory> m = new LinkedHashMap<>();
        m.put("k8s.bundle", BundleAction::create);
        m.put("k8s.bundle_check", BundleCheckAction::create);
        m.put("k8s.put_back", PutBackAction::create);
        return m;
    }
}
