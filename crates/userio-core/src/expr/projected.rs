//! Users as an export holds them when it parses only what its columns read, for
//! benchmarks and differential tests: they can time and check columns on the very
//! representation, and through the very parser, an export uses, without a file.

use serde_json::Value;

use super::{Cell, CellError, Column};
use crate::export::project::{self, Parsed, Projection};
use crate::read::Record;
use crate::user::Fields;

/// Users parsed into the top-level attributes some columns read (see `export/project.rs`).
#[doc(hidden)]
#[derive(Debug)]
pub struct Projected {
    projection: Projection,
    users: Vec<Fields>,
}

impl Projected {
    /// Projects `users` for `columns`, parsing each one's JSON text as an export does.
    /// `None` when a column may read any attribute (an export then parses whole users
    /// too) or a user is not an object.
    pub fn new(columns: &[Column], users: &[Value]) -> Option<Projected> {
        let projection = Projection::of(columns, None, None)?;
        let mut parsed = Vec::with_capacity(users.len());
        for (index, user) in users.iter().enumerate() {
            let text = serde_json::to_vec(user).ok()?;
            let rec = Record { index: index as u64, position: Default::default(), raw: &text };
            match project::parse(Some(&projection), &rec).ok()? {
                Parsed::Fields(_, fields) => parsed.push(fields),
                Parsed::Whole(_) => return None,
            }
        }
        Some(Projected { projection, users: parsed })
    }

    /// The number of users.
    pub fn len(&self) -> usize {
        self.users.len()
    }

    /// Whether there are no users.
    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }

    /// The top-level attribute `key` of user `index`, if it was kept and is present.
    pub fn get(&self, index: usize, key: &str) -> Option<&Value> {
        self.projection.user(&self.users[index]).get(key)
    }

    /// `column` for user `index`, as an export evaluates it.
    pub fn eval<'a>(&'a self, column: &'a Column, index: usize) -> Result<Cell<'a>, CellError> {
        column.eval_user(self.projection.user(&self.users[index]))
    }

    /// `column`'s cell text for user `index`, appended to `out`, as a CSV export writes it.
    pub fn write_text(
        &self,
        column: &Column,
        index: usize,
        out: &mut String,
    ) -> Result<(), CellError> {
        column.write_text_user(self.projection.user(&self.users[index]), out)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn columns_read_projected_users_as_whole_ones() {
        let users = [
            json!({"email": "a@b.c", "name": "A", "app_metadata": {"name": "Ann"}, "x": 1}),
            json!({"email": "d@e.f", "identities": [{"provider": "auth0"}, {"provider": "x"}]}),
            json!({}),
        ];
        let sources = [
            "user.email",
            "user.app_metadata.name || user.name",
            "(user.identities || []).map(i => i.provider).join('|')",
            "user.name + ' <' + user.email + '>'",
            #[cfg(feature = "js")]
            "[user.email, user.name].filter(Boolean).join()",
        ];
        let columns: Vec<Column> = sources.iter().map(|s| Column::new("c", *s).unwrap()).collect();
        let projected = Projected::new(&columns, &users).expect("every column declares its keys");
        assert_eq!(projected.len(), users.len());
        assert_eq!(projected.get(0, "x"), None, "x is not read, so not kept");
        assert_eq!(projected.get(0, "email"), Some(&json!("a@b.c")));
        for column in &columns {
            for (i, user) in users.iter().enumerate() {
                let whole = column.eval(user).map(|c| c.to_json_text());
                let part = projected.eval(column, i).map(|c| c.to_json_text());
                assert_eq!(part, whole, "{} on user {i}", column.source());
            }
        }
        let whole_user = Column::new("c", "JSON.stringify(user)").unwrap();
        assert!(Projected::new(&[whole_user], &users).is_none());
        assert!(Projected::new(&columns, &[json!([1])]).is_none());
    }
}
