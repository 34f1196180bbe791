package dev.runbook.action;

import dev.runbook.inventory.Host;
import dev.runbook.transport.Transport;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/**
 * The run's way from an action on one host to the other inventory hosts: their settings and the
 * run's one connection to each (an etcd call made on this machine, tunnelled through a member's
 * SSH connection, with TLS files read on that member).
 */
public interface HostLinks {
    /** The inventory's hosts in inventory order, the control machine not included. */
    Collection<Host> hosts();

    /**
     * The run's transport to {@code host}, connected on first use (the same one its steps use);
     * throws {@link dev.runbook.transport.TransportException} naming the host when it cannot be reached.
     */
    Transport transport(Host host);

    /** No other host: a plan, or a run whose actions never leave this machine. */
    HostLinks NONE = of(List.of(), h -> {
        throw new IllegalStateException("no connection to " + h.name() + " in this context");
    });

    static HostLinks of(Collection<Host> hosts, Function<Host, Transport> transports) {
        return new HostLinks() {
            @Override
            public Collection<Host> hosts() {
                return hosts;
            }

            @Override
            public Transport transport(Host host) {
                return transports.apply(host);
            }
        };
    }
}
