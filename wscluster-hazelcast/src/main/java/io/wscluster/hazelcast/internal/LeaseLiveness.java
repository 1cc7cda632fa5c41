package io.wscluster.hazelcast.internal;

import com.hazelcast.map.IMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A node on a Hazelcast client: no membership event tells the others it died, so it holds a lease,
 * an entry in {@value SharedTables#LEASES} with a time to live of half the failure timeout, renewed
 * four times per life. When the lease expires, every node that sees the expiry removes the node as
 * if it were a lost member ({@link Failover}); a node that finds its own lease gone (it stalled
 * past it) re-asserts what it owns.
 */
final class LeaseLiveness implements Liveness {

    private static final Logger LOG = LoggerFactory.getLogger(LeaseLiveness.class);

    private final NodeContext context;
    private final IMap<String, Long> leases;
    private final AtomicBoolean leaseHeld = new AtomicBoolean();

    LeaseLiveness(NodeContext context, IMap<String, Long> leases) {
        this.context = context;
        this.leases = leases;
    }

    @Override
    public boolean member() {
        return false;
    }

    @Override
    public String kind() {
        return "client";
    }

    @Override
    public void start(Failover failover, List<Runnable> unsubscribes) {
        renew(failover);
        long period = context.settings.leaseRenewPeriod().toMillis();
        context.maintenance.scheduleWithFixedDelay(() -> renew(failover), period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void afterReconcile(Failover failover) {
        // the members sweep gone nodes
    }

    @Override
    public void leave() {
        leases.delete(context.id.value());
    }

    @Override
    public Duration stallBound() {
        // the others see the lease expire when it is this old (shorter stalls: the renewal finds
        // the lease gone and reconciles)
        return context.settings.leaseTtl();
    }

    @Override
    public Duration confirmWindow() {
        return context.settings.leaseTtl().plus(context.settings.leaseRenewPeriod().multipliedBy(2));
    }

    @Override
    public Duration rejoinBound() {
        return context.settings.failureTimeout().multipliedBy(2);
    }

    /** Renews this node's lease; if it had expired meanwhile, re-asserts what this node owns. */
    private void renew(Failover failover) {
        if (context.isClosed()) {
            return;
        }
        long ttl = context.settings.leaseTtl().toMillis();
        try {
            Long previous = leases.put(context.id.value(), context.ticker.wallMillis(), ttl, TimeUnit.MILLISECONDS);
            if (!leaseHeld.getAndSet(true)) {
                return;
            }
            if (previous == null) {
                LOG.warn("node {} found its lease expired (stalled for longer than {} ms?); the others may have removed"
                        + " its sessions, re-asserting them", context.id, ttl);
                failover.scheduleReconcile("own lease expired");
            }
        } catch (RuntimeException e) {
            LOG.debug("node {} could not renew its lease", context.id, e);
        }
    }
}
