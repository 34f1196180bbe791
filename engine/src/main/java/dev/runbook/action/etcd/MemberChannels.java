package dev.runbook.action.etcd;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.etcd.jetcd.api.DefragmentRequest;
import io.etcd.jetcd.api.HashKVRequest;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.StatusRequest;
import io.etcd.jetcd.maintenance.DefragmentResponse;
import io.etcd.jetcd.maintenance.HashKVResponse;
import io.etcd.jetcd.maintenance.StatusResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslContext;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One gRPC channel per member for the calls that must reach ONE member: status, HashKV, defragment
 * and the health read, kept while etcd steps run and closed when none does ({@link #closeAll}).
 * jetcd's {@code statusMember}, {@code hashKV} and {@code defragmentMember} open a new channel (a
 * TCP connection and a TLS handshake) for every call: ~130 ms per call on the lab, and a health
 * wait polls every 200 ms. A channel kept after its step is worse, though: a member stopping
 * waits for its open client connections (a follower's stop took 1.7-2.2 s instead of 0.2 s).
 * A channel whose member restarted may fail its next call with UNAVAILABLE: that call is made
 * again once on a new channel (every call here is read-only or idempotent).
 */
final class MemberChannels implements AutoCloseable {
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final Function<EtcdTarget, SslContext> tls;
    private final java.util.function.BiFunction<EtcdTarget, String, Routes.Route> routes;
    /**
     * Our own event loop, ended in {@link #close}: gRPC's shared one lingers for a second after its
     * last channel, and the JVM's exit waits ~300 ms for every thread still inside a native call
     * (an epoll_wait) before it gives up on it.
     */
    private volatile io.netty.channel.EventLoopGroup loop;

    /** Channels with the run's TLS contexts and member routes (both owned by {@link EtcdClients}). */
    MemberChannels(Function<EtcdTarget, SslContext> tls, java.util.function.BiFunction<EtcdTarget, String, Routes.Route> routes) {
        this.tls = tls;
        this.routes = routes;
    }

    CompletableFuture<StatusResponse> status(EtcdTarget t, String endpoint) {
        return call(t, endpoint, s -> s.status(StatusRequest.getDefaultInstance()), StatusResponse::new);
    }

    CompletableFuture<HashKVResponse> hashKV(EtcdTarget t, String endpoint, long revision) {
        return call(t, endpoint, s -> s.hashKV(HashKVRequest.newBuilder().setRevision(revision).build()), HashKVResponse::new);
    }

    CompletableFuture<DefragmentResponse> defragment(EtcdTarget t, String endpoint) {
        return call(t, endpoint, s -> s.defragment(DefragmentRequest.getDefaultInstance()), DefragmentResponse::new);
    }

    /**
     * A linearizable read of one key on one member: it answers only when the member is part of a
     * working quorum (etcdctl's health check does the same read).
     */
    CompletableFuture<Long> linearizableRead(EtcdTarget t, String endpoint, String key) {
        return call(t, endpoint, s -> KVGrpc.newFutureStub(s.getChannel()).range(RangeRequest.newBuilder()
                .setKey(com.google.protobuf.ByteString.copyFromUtf8(key)).setSerializable(false).build()), r -> r.getHeader().getRevision());
    }

    /** Forgets (and shuts down) the channel to a member that failed a call. */
    void discard(EtcdTarget t, String endpoint) {
        ManagedChannel c = channels.remove(key(t, endpoint));
        if (c != null) {
            c.shutdownNow();
        }
    }

    private <P, R> CompletableFuture<R> call(EtcdTarget t, String endpoint, Function<MaintenanceGrpc.MaintenanceFutureStub, ListenableFuture<P>> rpc,
            Function<P, R> wrap) {
        boolean[] fresh = {false};
        ManagedChannel ch;
        try {
            ch = channels.computeIfAbsent(key(t, endpoint), k -> {
                fresh[0] = true;
                return build(t, endpoint);
            });
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e); // no way to the member (its host unreachable): this call fails, like a down member's
        }
        CompletableFuture<R> out = new CompletableFuture<>();
        ListenableFuture<P> first = rpc.apply(MaintenanceGrpc.newFutureStub(ch));
        out.whenComplete((r, e) -> first.cancel(true)); // a deadline in EtcdClients.call cancels the RPC too
        Futures.addCallback(first, new FutureCallback<>() {
            @Override
            public void onSuccess(P p) {
                out.complete(wrap.apply(p));
            }

            @Override
            public void onFailure(Throwable e) {
                if (!fresh[0] && e instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.UNAVAILABLE) {
                    // the kept channel's member went away since (a restart): once more, on a new channel
                    channels.remove(key(t, endpoint), ch);
                    ch.shutdownNow();
                    call(t, endpoint, rpc, wrap).whenComplete((r, e2) -> {
                        if (e2 != null) {
                            out.completeExceptionally(e2);
                        } else {
                            out.complete(r);
                        }
                    });
                } else {
                    out.completeExceptionally(e);
                }
            }
        }, MoreExecutors.directExecutor());
        return out;
    }

    private static String key(EtcdTarget t, String endpoint) {
        return endpoint + "|" + t.tlsKey() + "|" + t.access();
    }

    /** A channel over the member's route: a tunnelled one dials the local forward and checks TLS for the member's real address. */
    private ManagedChannel build(EtcdTarget t, String endpoint) {
        URI u = URI.create(endpoint.contains("://") ? endpoint : "http://" + endpoint);
        Routes.Route r = routes.apply(t, endpoint);
        NettyChannelBuilder b = r.via() == null ? NettyChannelBuilder.forAddress(u.getHost(), u.getPort() > 0 ? u.getPort() : 2379)
                : NettyChannelBuilder.forAddress(r.address()).overrideAuthority(r.authority());
        b.eventLoopGroup(loop()).channelType(io.netty.channel.socket.nio.NioSocketChannel.class)
                .withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, t.callTimeout().toMillis()))
                .withOption(ChannelOption.TCP_NODELAY, true)
                .maxInboundMessageSize(16 << 20);
        if (t.tls().kind() != EtcdTarget.Tls.Kind.NONE || "https".equals(u.getScheme())) {
            b.sslContext(tls.apply(t));
        } else {
            b.usePlaintext();
        }
        return b.build();
    }

    private synchronized io.netty.channel.EventLoopGroup loop() {
        if (loop == null) {
            loop = new io.netty.channel.nio.NioEventLoopGroup(1, r -> {
                Thread th = new Thread(r, "runbook-etcd-io");
                th.setDaemon(true);
                return th;
            });
        }
        return loop;
    }

    /** Closes every channel now (no etcd step is running: a member may be stopped next). */
    void closeAll() {
        for (String k : List.copyOf(channels.keySet())) {
            ManagedChannel c = channels.remove(k);
            if (c != null) {
                c.shutdownNow();
            }
        }
    }

    @Override
    public void close() {
        closeAll();
        io.netty.channel.EventLoopGroup l = loop;
        if (l != null) {
            l.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(1, TimeUnit.SECONDS);
        }
    }
}
