//! The long-term care assessment form, said in the document from the standard's own data
//! (config/seed/ltc_assessment.json): `scores` of `NewAssessment` gets one required integer member
//! per item with the points it allows, so the document, the JSON check of bodies and the scorer
//! agree, and a change of the data changes all three.
use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;

pub(super) struct LtcForm;

impl utoipa::Modify for LtcForm {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Ok(standard) = crate::ltc::model::Standard::embedded() else {
            return;
        };
        let Some(RefOr::T(Schema::Object(body))) = openapi
            .components
            .as_mut()
            .and_then(|c| c.schemas.get_mut("NewAssessment"))
        else {
            return;
        };
        let mut scores = ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "The points given for every item of the form (ADR 0012), by item code: all 17 required.",
            ))
            .additional_properties(Some(AdditionalProperties::FreeForm(false)));
        for indicator in standard.indicators() {
            for item in &indicator.items {
                let points = item.points();
                scores = scores
                    .property(
                        item.code.clone(),
                        ObjectBuilder::new()
                            .schema_type(Type::Integer)
                            .enum_values(Some(points))
                            .description(Some(format!("{} ({})", item.name_en, indicator.name_en))),
                    )
                    .required(item.code.clone());
            }
        }
        body.properties.insert("scores".into(), scores.into());
        body.properties.insert(
            "kind".into(),
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some([crate::ltc::model::records::LTC_DISABILITY]))
                .description(Some(
                    "`ltc_disability`: the national long-term care disability assessment (ADR 0012).",
                ))
                .into(),
        );
    }
}
