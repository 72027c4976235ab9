#pragma once
// Runs work in one PostgreSQL transaction (READ COMMITTED; the work takes the row locks it
// needs) and runs it again, on a fresh connection if need be, when PostgreSQL reports a
// serialization failure, a deadlock or a lost connection, so a caller (and the agent behind
// it) sees one answer. The work must be safe to run again: it sees nothing of a rolled-back
// attempt. A connection lost during COMMIT leaves the outcome unknown; the store's writes
// are written so that running them again gives the same answer (pairing the same key again
// returns the same device).

#include <chrono>
#include <random>
#include <thread>
#include <type_traits>
#include <utility>

#include "server/store/postgres/pg_error.h"
#include "server/store/postgres/pg_pool.h"

namespace tally::server {

inline constexpr int kPgTransactionAttempts = 8;

namespace detail {

inline void pg_backoff(int attempt) {
    thread_local std::minstd_rand rng{std::random_device{}()};
    const int base_ms = 2 << std::min(attempt, 6);
    std::this_thread::sleep_for(std::chrono::milliseconds(base_ms + rng() % base_ms));
}

template <class R>
Result<R> pg_attempt(PgConnection& c, auto& work) {
    if (auto begin = c.command("BEGIN ISOLATION LEVEL READ COMMITTED"); !begin) {
        return begin.error();
    }
    auto r = work(c);
    if (!r) {
        // A failed ROLLBACK means the connection is gone: the pool drops it.
        (void)c.command("ROLLBACK");
        return r;
    }
    if (auto commit = c.command("COMMIT"); !commit) {
        return commit.error();
    }
    return r;
}

//! Runs `attempt(PgConnection&)` on a pooled connection until it succeeds, fails for good or
//! has been tried kPgTransactionAttempts times.
template <class R, class Attempt>
R pg_retrying(PgPool& pool, Attempt&& attempt) {
    for (int n = 1;; ++n) {
        auto lease = pool.acquire();
        if (!lease) {
            return lease.error();
        }
        R r = attempt(**lease);
        if (r || !pg_retryable(r.error()) || n >= kPgTransactionAttempts) {
            return r;
        }
        pg_backoff(n);
    }
}

}  // namespace detail

//! `work(PgConnection&)` returns Result<T>; so does pg_transaction.
template <class Work>
auto pg_transaction(PgPool& pool, Work&& work) -> std::invoke_result_t<Work&, PgConnection&> {
    using R = std::invoke_result_t<Work&, PgConnection&>;
    return detail::pg_retrying<R>(pool, [&](PgConnection& c) -> R {
        if constexpr (std::is_same_v<R, Result<void>>) {
            return detail::pg_attempt<void>(c, work);
        } else {
            return detail::pg_attempt<std::decay_t<decltype(*std::declval<R&>())>>(c, work);
        }
    });
}

//! For work of one statement (a read): the statement is its own transaction, so no
//! BEGIN/COMMIT round trips; retried like pg_transaction.
template <class Work>
auto pg_statement(PgPool& pool, Work&& work) -> std::invoke_result_t<Work&, PgConnection&> {
    using R = std::invoke_result_t<Work&, PgConnection&>;
    return detail::pg_retrying<R>(pool, work);
}

}  // namespace tally::server
