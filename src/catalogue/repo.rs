//! Service types in the database.
use diesel::prelude::*;

use super::model::{Category, ServiceType};
use crate::db::schema::service_types;
use crate::db::DbConn;

type Row = (String, String, String, i32, String);

fn from_row((code, name, category, duration_minutes, required_skill): Row) -> ServiceType {
    ServiceType {
        code,
        name,
        category: Category::parse(&category).unwrap_or(Category::HealthCare),
        duration_minutes,
        required_skill,
    }
}

pub fn all(conn: &mut DbConn) -> QueryResult<Vec<ServiceType>> {
    let rows: Vec<Row> = service_types::table
        .order(service_types::code.asc())
        .load(conn)?;
    Ok(rows.into_iter().map(from_row).collect())
}

pub fn find(conn: &mut DbConn, code: &str) -> QueryResult<Option<ServiceType>> {
    let row: Option<Row> = service_types::table.find(code).first(conn).optional()?;
    Ok(row.map(from_row))
}

pub fn insert_if_missing(conn: &mut DbConn, st: &ServiceType) -> QueryResult<bool> {
    if find(conn, &st.code)?.is_some() {
        return Ok(false);
    }
    diesel::insert_into(service_types::table)
        .values((
            service_types::code.eq(&st.code),
            service_types::name.eq(&st.name),
            service_types::category.eq(st.category.as_str()),
            service_types::duration_minutes.eq(st.duration_minutes),
            service_types::required_skill.eq(&st.required_skill),
        ))
        .execute(conn)?;
    Ok(true)
}
