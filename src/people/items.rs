//! The items of request lists as the OpenAPI document states them (schemas only: the values are
//! plain strings in the code, checked by model.rs).

/// A skill in a request, as the document states it: a snake_case word of 2 to 40 letters (the
/// rule of `check_skills`). A schema only; skills are plain strings in the code.
pub struct SkillName;

impl utoipa::PartialSchema for SkillName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("^[a-z_]{2,40}$"))
            .min_length(Some(2))
            .max_length(Some(40))
            .examples([serde_json::json!("wound_care")])
            .into()
    }
}
impl utoipa::ToSchema for SkillName {}

/// A condition of a resident in a request: 1 to 200 characters, not blank. A schema only.
pub struct ConditionText;

impl utoipa::PartialSchema for ConditionText {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(200))
            .examples([serde_json::json!("hypertension")])
            .into()
    }
}
impl utoipa::ToSchema for ConditionText {}
