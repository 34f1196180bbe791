package dev.runbook.action.etcd;

import io.grpc.Attributes;
import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.NameResolverRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gives a jetcd client of several members its members' {@link Routes.Route}s as gRPC addresses,
 * each with its own TLS authority: jetcd takes one authority per client, but a member reached
 * through a tunnel must have its certificate checked for ITS real address. gRPC honours an
 * authority per address ({@link EquivalentAddressGroup#ATTR_AUTHORITY_OVERRIDE}); jetcd reaches
 * a resolver only by a target string, hence a scheme of our own with the routes registered
 * under a number in the target ({@code runbook-etcd:///7}) until the client closes.
 */
final class RouteResolver extends NameResolverProvider {
    static final String SCHEME = "runbook-etcd";
    private static final Map<String, List<Routes.Route>> TARGETS = new ConcurrentHashMap<>();
    private static final AtomicLong NEXT = new AtomicLong();

    static {
        NameResolverRegistry.getDefaultRegistry().register(new RouteResolver());
    }

    /** A jetcd target for these routes, valid until {@link #forget}. */
    static String target(List<Routes.Route> routes) {
        String id = Long.toString(NEXT.incrementAndGet());
        TARGETS.put(id, List.copyOf(routes));
        return SCHEME + ":///" + id;
    }

    static void forget(String target) {
        TARGETS.remove(target.substring(target.lastIndexOf('/') + 1));
    }

    @Override
    protected boolean isAvailable() {
        return true;
    }

    @Override
    protected int priority() {
        return 5;
    }

    @Override
    public String getDefaultScheme() {
        return SCHEME;
    }

    @Override
    public NameResolver newNameResolver(URI uri, NameResolver.Args args) {
        if (!SCHEME.equals(uri.getScheme())) {
            return null;
        }
        List<Routes.Route> routes = TARGETS.get(uri.getPath().substring(1));
        if (routes == null) {
            return null;
        }
        return new NameResolver() {
            private Listener2 listener;

            @Override
            public String getServiceAuthority() {
                return routes.get(0).authority();
            }

            @Override
            public void start(Listener2 l) {
                listener = l;
                resolve();
            }

            @Override
            public void refresh() {
                resolve();
            }

            private void resolve() {
                List<EquivalentAddressGroup> groups = routes.stream().map(r -> {
                    InetSocketAddress a = r.address().isUnresolved() ? new InetSocketAddress(r.address().getHostString(), r.address().getPort()) : r.address();
                    return new EquivalentAddressGroup(a, Attributes.newBuilder().set(EquivalentAddressGroup.ATTR_AUTHORITY_OVERRIDE, r.authority()).build());
                }).toList();
                listener.onResult(ResolutionResult.newBuilder().setAddressesOrError(io.grpc.StatusOr.fromValue(groups)).build());
            }

            @Override
            public void shutdown() {
            }
        };
    }
}
