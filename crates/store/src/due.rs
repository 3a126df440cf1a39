//! The things-that-fall-due engine. A capability with things that fall due writes a [`Source`] beside its
//! own store code and adds it to [`SOURCES`]. A source asks the database for the items of the person
//! asking only (or everyone's, for the weekly digest), up to the horizon: one query, or none when the
//! person could own nothing it holds. So a person's tasks cost at most one query per source, however large
//! the organisation's registers grow.

use crate::Store;
use crate::error::StoreResult;
use crate::scope::OrgScope;
use domain::due::{DUE_SOON, DueItem};
use domain::roles::Role;
use std::pin::Pin;
use time::Date;

/// Whose things that fall due are asked for.
pub(crate) enum Whose<'a> {
    /// Everyone's, for the weekly digest.
    Everyone,
    /// The actor's: items owned by their account or by a role they hold.
    Mine(&'a OrgScope),
}

impl Whose<'_> {
    /// Whether items owned by any of these roles are asked for.
    pub(crate) fn takes(&self, owners: &[Role]) -> bool {
        match self {
            Whose::Everyone => true,
            Whose::Mine(scope) => scope.roles().iter().any(|role| owners.contains(role)),
        }
    }

    /// The account whose own items are asked for, as bound into a query: empty for everyone's, and an id
    /// no row holds for an actor without an account.
    pub(crate) fn account(&self) -> String {
        match self {
            Whose::Everyone => String::new(),
            Whose::Mine(scope) => scope.actor().account.map_or_else(|| "none".into(), |a| a.to_string()),
        }
    }

    /// `yes` or `no`, for a query's condition on [`Whose::takes`].
    pub(crate) fn takes_sql(&self, owners: &[Role]) -> &'static str {
        if self.takes(owners) { "yes" } else { "no" }
    }
}

/// What a source answers.
pub(crate) type Items<'a> = Pin<Box<dyn Future<Output = StoreResult<Vec<DueItem>>> + Send + 'a>>;

/// One source of things that fall due.
pub(crate) trait Source: Sync {
    /// The items due by `horizon` that `whose` asks for.
    fn items<'a>(&'a self, store: &'a Store, scope: &'a OrgScope, whose: &'a Whose<'a>, horizon: Date) -> Items<'a>;
}

/// Every source, one per line.
const SOURCES: &[&dyn Source] = &[
    &crate::profile::ProfileReview,
    &crate::invitations::ExpiringInvitations,
    &crate::registry::MissingCover,
    &crate::concerns::UnacknowledgedConcerns,
    &crate::cases::CaseActions,
    &crate::cases::CaseReviews,
];

impl Store {
    /// Everything in the organisation that is overdue or falls due within [`DUE_SOON`], soonest first, for
    /// the weekly digest.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn due_items(&self, scope: &OrgScope) -> StoreResult<Vec<DueItem>> {
        self.due(scope, &Whose::Everyone).await
    }

    /// The actor's own tasks: items owned by them or by a role they hold.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn my_tasks(&self, scope: &OrgScope) -> StoreResult<Vec<DueItem>> {
        self.due(scope, &Whose::Mine(scope)).await
    }

    async fn due(&self, scope: &OrgScope, whose: &Whose<'_>) -> StoreResult<Vec<DueItem>> {
        let horizon = self.now().date() + DUE_SOON;
        let mut items = Vec::new();
        for source in SOURCES {
            items.extend(source.items(self, scope, whose, horizon).await?);
        }
        // A source whose one item is dated (a yearly review) answers it whenever it falls.
        items.retain(|item| item.due_on <= horizon);
        items.sort_by(|a, b| a.due_on.cmp(&b.due_on).then(a.source.cmp(b.source)));
        Ok(items)
    }
}
