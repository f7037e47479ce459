//! Who is in the demo: staff of several organisations and roles, and residents at home and in a
//! care home, with their family doctors (as data; demo::people writes them).
use crate::auth::Role;
use crate::people::model::{PriorityFlag, Sex};

pub struct DemoStaff {
    pub username: &'static str,
    pub name: &'static str,
    pub role: Role,
    pub org: &'static str,
    pub skills: &'static [&'static str],
}

const fn staff(
    username: &'static str,
    name: &'static str,
    role: Role,
    org: &'static str,
    skills: &'static [&'static str],
) -> DemoStaff {
    DemoStaff {
        username,
        name,
        role,
        org,
        skills,
    }
}

/// The care home signed with the first demo clinic (WH-CL-01), whose desk is `home01`.
pub const CARE_HOME: &str = "WH-CH-01";

/// Every demo login but the resident's, in the order the README's table lists them.
pub const DEMO_STAFF: &[DemoStaff] = &[
    staff("admin", "区卫健局管理员", Role::Admin, "WH-AUTH", &[]),
    staff("sched01", "张调度", Role::Scheduler, "WH-CL-01", &[]),
    staff(
        "doc01",
        "王医生",
        Role::Clinician,
        "WH-CL-01",
        &["general_practice", "tcm"],
    ),
    staff(
        "nurse01",
        "李护士",
        Role::Clinician,
        "WH-CL-01",
        &["nursing", "wound_care"],
    ),
    staff(
        "rehab01",
        "赵康复师",
        Role::Clinician,
        "WH-CL-01",
        &["rehabilitation"],
    ),
    staff("sched02", "陈调度", Role::Scheduler, "WH-CL-04", &[]),
    staff(
        "doc02",
        "刘医生",
        Role::Clinician,
        "WH-CL-04",
        &["general_practice", "nursing"],
    ),
    staff(
        "nurse02",
        "杨护士",
        Role::Clinician,
        "WH-CL-04",
        &["nursing", "rehabilitation"],
    ),
    staff("home01", "养老院护理员", Role::CareHome, CARE_HOME, &[]),
    staff(
        "desk-ho01",
        "人民医院转诊台",
        Role::Hospital,
        "WH-HO-01",
        &[],
    ),
    staff(
        "desk-ho02",
        "中医医院转诊台",
        Role::Hospital,
        "WH-HO-02",
        &[],
    ),
];

/// The resident's family login, linked to the first resident of WH-CL-01.
pub const RESIDENT_LOGIN: &str = "resident01";

pub struct DemoResident {
    pub name: &'static str,
    pub sex: Sex,
    pub born: &'static str,
    pub conditions: &'static [&'static str],
    pub flags: &'static [PriorityFlag],
    /// Signed with the clinic's doctor as family doctor (家庭医生签约).
    pub signed: bool,
}

const fn resident(
    name: &'static str,
    sex: Sex,
    born: &'static str,
    conditions: &'static [&'static str],
    flags: &'static [PriorityFlag],
    signed: bool,
) -> DemoResident {
    DemoResident {
        name,
        sex,
        born,
        conditions,
        flags,
        signed,
    }
}

/// Residents living at home, the same six in each demo clinic's community; index 0..6.
pub const AT_HOME: &[DemoResident] = &[
    resident(
        "周桂芳",
        Sex::Female,
        "1941-03-12",
        &["高血压"],
        &[PriorityFlag::LivingAlone],
        true,
    ),
    resident(
        "孙建国",
        Sex::Male,
        "1938-07-01",
        &["高血压", "脑卒中后遗症"],
        &[PriorityFlag::Disabled],
        true,
    ),
    resident(
        "吴秀英",
        Sex::Female,
        "1945-11-20",
        &["阿尔茨海默病"],
        &[PriorityFlag::Dementia, PriorityFlag::EmptyNest],
        true,
    ),
    resident("郑志强", Sex::Male, "1950-02-14", &["2型糖尿病"], &[], true),
    resident(
        "冯玉兰",
        Sex::Female,
        "1936-09-09",
        &["高血压", "压疮"],
        &[PriorityFlag::Bedridden],
        false,
    ),
    resident("何德明", Sex::Male, "1947-05-30", &["高血压"], &[], false),
];

/// Residents of the care home `home01` works at; index 6.. in the first clinic's list.
pub const IN_CARE_HOME: &[DemoResident] = &[
    resident(
        "李淑珍",
        Sex::Female,
        "1939-04-18",
        &["冠心病", "高血压"],
        &[PriorityFlag::Disabled],
        true,
    ),
    resident(
        "张福全",
        Sex::Male,
        "1942-10-03",
        &["脑卒中后遗症"],
        &[PriorityFlag::Bedridden],
        true,
    ),
    resident(
        "王翠英",
        Sex::Female,
        "1944-01-27",
        &["阿尔茨海默病", "2型糖尿病"],
        &[PriorityFlag::Dementia],
        false,
    ),
];

/// The demo clinics, each with the username of its doctor (the family doctor of its signed residents).
pub const CLINICS: [(&str, &str); 2] = [("WH-CL-01", "doc01"), ("WH-CL-04", "doc02")];
