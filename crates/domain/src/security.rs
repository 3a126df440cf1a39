//! Time limits for sessions, sign-in back-off and one-time links: the rules, as pure functions of time.

use time::{Duration, OffsetDateTime};

/// A session ends after 30 minutes without a request.
pub const SESSION_IDLE: Duration = Duration::minutes(30);
/// Pages warn five minutes before the idle timeout, so nobody loses what they are typing.
pub const SESSION_IDLE_WARNING: Duration = Duration::minutes(25);
/// A session ends 12 hours after sign-in whatever happens.
pub const SESSION_ABSOLUTE: Duration = Duration::hours(12);
/// Actions that need a fresh second factor accept one entered within this window.
pub const FRESH_SECOND_FACTOR: Duration = Duration::minutes(10);
/// A password-reset link works for one hour.
pub const PASSWORD_RESET_VALID: Duration = Duration::hours(1);
/// An invitation works for seven days.
pub const INVITATION_VALID: Duration = Duration::days(7);
/// Failed sign-ins allowed before back-off starts.
pub const FREE_FAILURES: i64 = 5;
/// The longest a sign-in is refused after failures. The lock always ends: the real user is never locked
/// out for ever, and a successful sign-in or password reset clears the count.
pub const MAX_LOCK: Duration = Duration::minutes(15);

/// Whether a session is still alive at `now`.
#[must_use]
pub fn session_alive(created: OffsetDateTime, last_seen: OffsetDateTime, now: OffsetDateTime) -> bool {
    now - last_seen < SESSION_IDLE && now - created < SESSION_ABSOLUTE
}

/// After `failures` consecutive failed sign-ins, until when further attempts are refused.
/// Back-off doubles from one minute after the fifth failure, up to [`MAX_LOCK`].
#[must_use]
pub fn locked_until(failures: i64, now: OffsetDateTime) -> Option<OffsetDateTime> {
    if failures < FREE_FAILURES {
        return None;
    }
    let doublings = u32::try_from((failures - FREE_FAILURES).min(10)).unwrap_or(10);
    let lock = Duration::minutes(1_i64 << doublings).min(MAX_LOCK);
    Some(now + lock)
}

/// The lock after each count of consecutive failures, from one: the last entry holds for every higher
/// count. The store counts a failure and sets its lock from this in one statement, so that parallel attempts
/// cannot outrun the lock.
#[must_use]
pub fn lock_schedule(now: OffsetDateTime) -> Vec<Option<OffsetDateTime>> {
    let mut schedule = Vec::new();
    for failures in 1.. {
        let lock = locked_until(failures, now);
        schedule.push(lock);
        if lock == Some(now + MAX_LOCK) {
            break;
        }
    }
    schedule
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn sessions_time_out_when_idle_or_old() {
        let start = datetime!(2026-11-30 09:00 UTC);
        assert!(session_alive(start, start, start + Duration::minutes(29)));
        assert!(!session_alive(start, start, start + Duration::minutes(30)));
        let busy = start + Duration::hours(12) - Duration::minutes(1);
        assert!(session_alive(start, busy, busy));
        assert!(!session_alive(start, busy, start + Duration::hours(12)));
    }

    #[test]
    fn back_off_grows_and_is_capped() {
        let now = datetime!(2026-11-30 09:00 UTC);
        assert_eq!(locked_until(4, now), None);
        assert_eq!(locked_until(5, now), Some(now + Duration::minutes(1)));
        assert_eq!(locked_until(7, now), Some(now + Duration::minutes(4)));
        assert_eq!(locked_until(50, now), Some(now + MAX_LOCK));
        let schedule = lock_schedule(now);
        assert_eq!(schedule.len(), 9, "five free, then 1, 2, 4 and 8 minutes, then the cap");
        assert_eq!(schedule[3], None);
        assert_eq!(schedule[4], Some(now + Duration::minutes(1)));
        assert_eq!(schedule[8], Some(now + MAX_LOCK));
    }
}
