//! What only a charitable organisation (慈善组织) may do, for the organisations on the ledger
//! that are not one: a welfare institution (福利院, 敬老院, 残疾人康复机构: a public institution
//! that receives and reports lottery grants), a trust company and a lottery administrator.
//!
//! - **Public fundraising.** The status (公开募捐资格) is a charity's (Charity Law, 2023
//!   amendment, Art. 22 para. 1; `charity_law_2023_art22` in `rules/org_time.json`), so a non-charity
//!   is refused it at registration (`body.public_fundraising`) and by `org.fundraising`
//!   (`body.change`). Without the status it can open no public-fundraising project and no
//!   campaign (those already need the status in force, [`super::org_time`]). Art. 22 para. 2
//!   lets the civil-affairs department certify a non-profit that another law or regulation
//!   allows to fundraise publicly; none of the ledger's non-charity types is such an
//!   organisation, and one that is would need a type of its own.
//! - **Trusteeship.** A charitable trust's trustee is a charity or a trust company (Charity Law,
//!   charitable-trust chapter; article not retrieved, unconfirmed): see
//!   [`super::trusts`]' filing check, which reads [`may_be_trustee`].
//!
//! A welfare institution may still receive donations and run projects with them: the Public
//! Welfare Donations Law (1999) lets donors give to public-welfare non-profit institutions
//! (公益性非营利的事业单位, Arts. 2 and 9; checked against a reproduction of the full text).

use crate::ledger::Uscc;

use crate::money::bodies::org_time::is_charity_type;
use crate::money::error::{MoneyError, Rule};
use crate::money::rules::org_time::cite;
use crate::money::types::OrgType;

/// Refuses public-fundraising status, stated at `field`, for `org` of type `org_type` unless it
/// is a charity.
pub(crate) fn may_hold_fundraising_status(
    org: &Uscc,
    org_type: OrgType,
    field: &str,
) -> Result<(), MoneyError> {
    if is_charity_type(org_type) {
        return Ok(());
    }
    Err(MoneyError::refused(
        field,
        Rule::WrongOrgType,
        format!(
            "{org} is a {org_type}, not a charity, and public-fundraising status is a charity's ({})",
            cite("charity_only_fundraising")
        ),
    ))
}

/// Whether an organisation of `org_type` may be a charitable trust's trustee.
pub fn may_be_trustee(org_type: OrgType) -> bool {
    is_charity_type(org_type) || org_type == OrgType::TrustCompany
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::ledger::Kind;
    use crate::money::tests::testkit::{Kit, cash, h, org_id, project_body};

    fn register_body(n: u16, org_type: &str, public_fundraising: bool) -> serde_json::Value {
        json!({"org": org_id(n).as_str(), "name": format!("测试机构{n}"), "org_type": org_type,
               "region": "530000", "public_fundraising": public_fundraising,
               "registered_on": "2020-01-01",
               "keys": [crate::ledger::SecretKey::from_seed([10 + n as u8; 32]).public().to_hex()]})
    }

    /// `(code, field)` of a refusal, after checking it changed no view row.
    fn refused(
        k: &mut Kit,
        r: impl FnOnce(&mut Kit) -> Result<u64, crate::money::MoneyError>,
    ) -> (String, String) {
        let before = k.view_rows();
        let e = match r(k) {
            Ok(seq) => panic!("entry {seq} accepted"),
            Err(e) => e,
        };
        assert_eq!(k.view_rows(), before, "a refusal changes nothing");
        (e.code().to_owned(), e.field().to_owned())
    }

    #[test]
    fn a_welfare_institution_never_holds_public_fundraising_status_but_takes_donations() {
        let mut k = Kit::new();
        for org_type in [
            "welfare_institution",
            "trust_company",
            "lottery_administrator",
        ] {
            let got = refused(&mut k, |k| {
                k.as_reg(Kind::OrgRegister, register_body(3, org_type, true))
            });
            assert_eq!(
                got,
                ("wrong_org_type".into(), "body.public_fundraising".into()),
                "{org_type}"
            );
        }
        let home = k.register(1, "welfare_institution", false);
        let grant = json!({"org": home.as_str(), "change": "granted", "effective_on": "2025-01-01",
                           "decision": h(21)});
        let got = refused(&mut k, |k| k.as_reg(Kind::OrgFundraising, grant.clone()));
        assert_eq!(got, ("wrong_org_type".into(), "body.change".into()));
        // Without the status a public-fundraising project is refused as for any organisation
        // without it.
        let mut public = project_body("P2", "救孤");
        public["public_fundraising"] = json!(true);
        public["fundraising_filing_no"] = json!("53000020260001");
        let got = refused(&mut k, |k| {
            k.as_org(&home, Kind::ProjectOpen, public.clone())
        });
        assert_eq!(
            got,
            (
                "no_public_fundraising".into(),
                "body.public_fundraising".into()
            )
        );
        // Donations and a project that does not raise from the public are its to have
        // (Public Welfare Donations Law, Arts. 2 and 9).
        k.as_org(&home, Kind::ProjectOpen, project_body("P1", "救孤"))
            .expect("a project without public fundraising");
        k.as_org(
            &home,
            Kind::Donation,
            cash("R-1", Some("P1"), "500.00", "CNY"),
        )
        .expect("a donation to a welfare home");
        // A charity is granted the status as before.
        let charity = k.register(2, "foundation", false);
        let mut g = grant.clone();
        g["org"] = json!(charity.as_str());
        k.as_reg(Kind::OrgFundraising, g)
            .expect("granted to a charity");
    }

    #[test]
    fn only_a_charity_or_a_trust_company_is_a_trustee() {
        let mut k = Kit::new();
        let home = k.register(1, "welfare_institution", false);
        let trust = |trustee: &crate::ledger::Uscc| {
            json!({"trust_id": "T-1", "name": "助学慈善信托", "trustee": trustee.as_str(),
                "settlors": [{"settlor_type": "individual", "display": "王*", "commitment": h(1)}],
                "purpose": "教育", "property": "1000.00", "currency": "CNY",
                "term_start": "2026-01-10", "filing_no": "YN-2026-009",
                "filing_authority": "云南省民政厅", "signed_on": "2026-01-03", "filed_on": "2026-01-08"})
        };
        let got = refused(&mut k, |k| k.as_reg(Kind::TrustFile, trust(&home)));
        assert_eq!(got, ("wrong_org_type".into(), "body.trustee".into()));
        let admin = k.register(2, "lottery_administrator", false);
        let got = refused(&mut k, |k| k.as_reg(Kind::TrustFile, trust(&admin)));
        assert_eq!(got, ("wrong_org_type".into(), "body.trustee".into()));
        let charity = k.register(3, "foundation", false);
        k.as_reg(Kind::TrustFile, trust(&charity))
            .expect("a charity is a trustee");
    }

    #[test]
    fn the_rules_cite_their_sources() {
        let fundraising = super::cite("charity_only_fundraising");
        assert!(fundraising.contains("第二十二条"), "{fundraising}");
        let trustee = super::cite("charity_only_trustee");
        assert!(trustee.contains("[unconfirmed]"), "{trustee}");
        assert!(super::cite("welfare_institution_donations").contains("第九条"));
    }
}
