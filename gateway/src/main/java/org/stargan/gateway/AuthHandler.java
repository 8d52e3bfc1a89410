package org.stargan.gateway;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Who is calling, as route handlers chained before a route: a request goes on only when its key has the scope the
 * route needs, with the holder left in the routing context; otherwise it is answered 401 (no or unknown key) or 403
 * (a key without the scope). Keys come in {@code X-API-Key} or {@code Authorization: Bearer}; a gateway without keys
 * opens translation to everyone and refuses training.
 */
final class AuthHandler {
    private static final String CALLER = "stargan.caller";

    private final ApiKeys keys;
    private final ApiErrors errors;

    AuthHandler(ApiKeys keys, ApiErrors errors) {
        this.keys = keys;
        this.errors = errors;
    }

    /** Lets through callers whose key allows {@code scope}. */
    Handler<RoutingContext> require(ApiKeys.Scope scope) {
        return ctx -> admit(ctx, scope, false);
    }

    /**
     * As {@link #require}, also taking the key as {@code ?key=}: browsers cannot set headers on a WebSocket handshake.
     */
    Handler<RoutingContext> requireAllowingQueryKey(ApiKeys.Scope scope) {
        return ctx -> admit(ctx, scope, true);
    }

    /** The caller a preceding {@link #require} handler admitted. */
    static ApiKeys.Holder caller(RoutingContext ctx) {
        return ctx.get(CALLER);
    }

    /** Whose share of the limits a request counts against: its key, or its address when it came without one. */
    static String client(RoutingContext ctx) {
        ApiKeys.Holder holder = caller(ctx);
        return holder.name().equals(ApiKeys.ANYONE)
                ? "address " + ctx.request().remoteAddress().hostAddress()
                : "key " + holder.name();
    }

    private void admit(RoutingContext ctx, ApiKeys.Scope needed, boolean queryKey) {
        if (keys.isEmpty()) {
            if (needed == ApiKeys.Scope.TRANSLATE) {
                ctx.put(CALLER, new ApiKeys.Holder(ApiKeys.ANYONE, ApiKeys.Scope.TRANSLATE));
                ctx.next();
            } else {
                errors.send(
                        ctx,
                        403,
                        "forbidden",
                        "training is disabled: the gateway has no API key with scope train or admin configured");
            }
            return;
        }
        String key = ctx.request().getHeader("X-API-Key");
        String auth = ctx.request().getHeader("Authorization");
        if (key == null && auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            key = auth.substring(7).trim();
        }
        if (key == null && queryKey) {
            key = ctx.request().getParam("key");
        }
        ApiKeys.Holder holder = keys.holder(key);
        if (holder == null) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
            errors.send(
                    ctx,
                    401,
                    "unauthorized",
                    key == null
                            ? "X-API-Key or Authorization: Bearer: missing, expected an API key"
                            : "X-API-Key or Authorization: Bearer: unknown key");
            return;
        }
        if (!holder.allows(needed)) {
            errors.send(
                    ctx,
                    403,
                    "forbidden",
                    "key '" + holder.name() + "' has scope " + holder.scope().label() + "; "
                            + ctx.request().method() + " " + ctx.request().path() + " needs " + needed.label());
            return;
        }
        ctx.put(CALLER, holder);
        ctx.next();
    }
}
