//! Typed ids (issue #12): a resident's id is a `ResidentId`, a clinician's a `UserId`, so one
//! cannot be passed where the other is expected. Each is its text in JSON (serde-transparent), in
//! the database (a `Text` column) and in the OpenAPI document (a string), so nothing outside the
//! code changes. New code takes these; the older domains move over as they are touched.
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default,
            serde::Serialize, serde::Deserialize, diesel::AsExpression, diesel::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(id: impl Into<String>) -> $name {
                $name(id.into())
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> $name {
                $name(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> $name {
                $name(id.to_string())
            }
        }

        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<$name> {
                Ok($name(String::from_sql(bytes)?))
            }
        }

        impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            String: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, DB>,
            ) -> diesel::serialize::Result {
                self.0.to_sql(out)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                <String as utoipa::PartialSchema>::schema()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

id_type!(
    /// A resident's id.
    ResidentId
);
id_type!(
    /// A login's id: staff (a clinician, a scheduler) or a resident's.
    UserId
);
id_type!(
    /// An organisation's id: a clinic, a care home, a hospital, a community, the authority.
    OrgId
);
id_type!(
    /// A home visit's id.
    VisitId
);
id_type!(
    /// A referral's id.
    ReferralId
);
id_type!(
    /// An episode's id (a home sickbed).
    EpisodeId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_its_text_in_json_and_never_equal_across_kinds_by_type() {
        let r = ResidentId::new("0193-r");
        assert_eq!(serde_json::to_string(&r).unwrap(), "\"0193-r\"");
        let back: ResidentId = serde_json::from_str("\"0193-r\"").unwrap();
        assert_eq!(back, r);
        assert_eq!(r.to_string(), "0193-r");
        assert_eq!(UserId::from("u").as_str(), "u");
    }
}
