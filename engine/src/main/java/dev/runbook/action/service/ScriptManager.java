package dev.runbook.action.service;

import dev.runbook.template.ShellQuote;
import java.util.Map;

/** Plain init scripts ({@code <service_script_dir>/<name> start|stop|restart|status}, default /etc/init.d), as in the lab. */
final class ScriptManager implements ServiceManager {
    @Override
    public String script(String service, String state, Map<String, Object> vars, long timeoutSeconds) {
        String dir = String.valueOf(vars.getOrDefault("service_script_dir", "/etc/init.d"));
        String cmd = ShellQuote.quote(dir + "/" + service);
        return switch (state) {
            case "status" -> cmd + " status";
            case "started" -> cmd + " start";
            case "stopped" -> cmd + " stop";
            // its own session: the script's stop outlives this command (and the shell's process-group kill)
            case "stopping" -> "setsid -f " + cmd + " stop </dev/null >/dev/null 2>&1";
            default -> cmd + " restart";
        };
    }

    @Override
    public String installed(String service, Map<String, Object> vars) {
        return "[ -x " + ShellQuote.quote(vars.getOrDefault("service_script_dir", "/etc/init.d") + "/" + service) + " ]";
    }
}
