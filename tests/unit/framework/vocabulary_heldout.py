"""Everyday phrases of a CTO's week, held out from the shipped vocabulary, with where each
belongs: an activity id, or a focus area id where more than one of its activities is fair.

Written before the vocabulary file and kept apart from it: the hit-rate test measures how well
the vocabulary generalizes to what people type, so no phrase here may appear word for word in
`sec_desktop/resources/vocabulary.toml` (test_vocabulary.py checks that).
"""

from __future__ import annotations

# Focus areas
TECH_PLANNING = "strategy.technology-planning"
MARKET = "strategy.market-positioning"
PARTNERSHIPS = "strategy.partnership-strategy"
STAKEHOLDERS = "strategy.stakeholder-management"
DATA_INFRA = "execution.data-and-infrastructure"
SECURITY = "execution.security-and-compliance"
DELIVERY = "execution.product-and-engineering-delivery"
BUSINESS_OPS = "execution.business-operations"
TEAM = "culture.team-development"
PERSONAL = "culture.personal-development"

# Activities
EMERGING = f"{TECH_PLANNING}.emerging-technology-evaluation"
ALIGNMENT = f"{TECH_PLANNING}.business-tech-alignment"
OKR = f"{TECH_PLANNING}.okr-management"
INNOVATION = f"{TECH_PLANNING}.innovation-prioritization"
COMPETITIVE = f"{MARKET}.competitive-differentiation"
EXIT = f"{MARKET}.strategic-exit-preparation"
DATA_LICENSING = f"{PARTNERSHIPS}.data-licensing-negotiation"
COMMUNITY = f"{PARTNERSHIPS}.community-partnerships"
ALLIANCES = f"{PARTNERSHIPS}.strategic-alliances"
CEO = f"{STAKEHOLDERS}.ceo-advisory"
BOARD = f"{STAKEHOLDERS}.board-communications"
INVESTORS = f"{STAKEHOLDERS}.investor-relations"
DATA_SOURCES = f"{DATA_INFRA}.data-source-diversification"
INTEGRATION = f"{DATA_INFRA}.multi-platform-integration"
INFRA = f"{DATA_INFRA}.infrastructure-scalability"
RISK = f"{SECURITY}.risk-assessment"
COMPLIANCE = f"{SECURITY}.regulatory-compliance"
INCIDENT = f"{SECURITY}.incident-response"
SEC_TOOLING = f"{SECURITY}.security-tooling"
DATA_GOVERNANCE = f"{SECURITY}.data-governance"
ROADMAP = f"{DELIVERY}.product-roadmap-execution"
PROJECT = f"{DELIVERY}.project-management"
CICD = f"{DELIVERY}.ci-cd-management"
TECH_DEBT = f"{DELIVERY}.technical-debt-reduction"
QA = f"{DELIVERY}.quality-assurance"
REVENUE = f"{BUSINESS_OPS}.revenue-optimization"
CUSTOMERS = f"{BUSINESS_OPS}.customer-success-metrics"
TEAM_SCALING = f"{BUSINESS_OPS}.team-scaling"
HIRING = f"{TEAM}.talent-acquisition"
MENTORSHIP = f"{TEAM}.technical-mentorship"
PERFORMANCE = f"{TEAM}.performance-management"
TRAINING = f"{TEAM}.team-training-programs"
RITUALS = f"{TEAM}.team-rituals-and-practices"
SKILLS = f"{PERSONAL}.skill-development"
PEERS = f"{PERSONAL}.cto-peer-engagement"
EXEC_EDUCATION = f"{PERSONAL}.executive-education"

HELD_OUT: tuple[tuple[str, str], ...] = (
    # Technology planning
    ("evaluating llm vendors", EMERGING),
    ("chatgpt experiment", EMERGING),
    ("proof-of-concept for a vector db", EMERGING),
    ("architecture discussion with staff engineers", TECH_PLANNING),
    ("writing an RFC", TECH_PLANNING),
    ("tech strategy offsite", TECH_PLANNING),
    ("quarterly OKR planning", OKR),
    ("okr check-in", OKR),
    ("setting team goals for Q3", OKR),
    ("hackathon judging", INNOVATION),
    ("prioritizing R&D bets", INNOVATION),
    # Market positioning
    ("competitor teardown", COMPETITIVE),
    ("market research on rivals", MARKET),
    ("acquisition talks", EXIT),
    ("m&a due diligence", EXIT),
    # Partnerships
    ("data licensing contract", DATA_LICENSING),
    ("negotiating a data deal with a provider", DATA_LICENSING),
    ("open-source community call", COMMUNITY),
    ("speaking at a meetup", PARTNERSHIPS),
    ("partnership call with a reseller", ALLIANCES),
    # Stakeholders
    ("ceo weekly sync", CEO),
    ("sync with the founders", CEO),
    ("preparing board slides", BOARD),
    ("board pre-read", BOARD),
    ("quarterly board update", BOARD),
    ("investor call", INVESTORS),
    ("series b pitch", INVESTORS),
    ("VC meeting", INVESTORS),
    ("monthly investor newsletter", INVESTORS),
    # Data and infrastructure
    ("kubernetes upgrade", INFRA),
    ("cloud cost review", DATA_INFRA),
    ("database sharding plan", INFRA),
    ("capacity planning for black friday", INFRA),
    ("migrating to gcp", INFRA),
    ("salesforce integration", INTEGRATION),
    ("api partner integration", INTEGRATION),
    ("evaluating alternative data feeds", DATA_SOURCES),
    # Security and compliance
    ("pen test kickoff", SECURITY),
    ("pentest findings", SECURITY),
    ("phishing simulation", SECURITY),
    ("phishing email reported", SECURITY),
    ("soc 2 evidence collection", COMPLIANCE),
    ("iso27001 audit prep", COMPLIANCE),
    ("gdpr request", SECURITY),
    ("vendor security questionnaire", SECURITY),
    ("third-party risk review", RISK),
    ("3rd-party vendor review", SECURITY),
    ("threat modeling session", RISK),
    ("quarterly access review", SECURITY),
    ("rolling out 2fa", SECURITY),
    ("2fa reset for a user", SECURITY),
    ("enforce mfa for github", SECURITY),
    ("sso rollout", SECURITY),
    ("siem alert tuning", SECURITY),
    ("prod outage", INCIDENT),
    ("sev1 war room", INCIDENT),
    ("incident retro", INCIDENT),
    ("writing the postmortem doc", INCIDENT),
    ("on call handover", INCIDENT),
    ("paged at night", INCIDENT),
    ("data retention policy", DATA_GOVERNANCE),
    ("data classification", DATA_GOVERNANCE),
    ("privacy impact assessment", SECURITY),
    # Product and engineering delivery
    ("q3 roadmap review", ROADMAP),
    ("product spec review", DELIVERY),
    ("planning the next sprint", PROJECT),
    ("jira grooming", PROJECT),
    ("backlog refinement", PROJECT),
    ("weekly delivery status", DELIVERY),
    ("fixing the deploy pipeline", CICD),
    ("github actions flaky build", CICD),
    ("release train", CICD),
    ("paying down tech debt", TECH_DEBT),
    ("legacy monolith migration", TECH_DEBT),
    ("reviewing pull requests", DELIVERY),
    ("code review for the payments service", DELIVERY),
    ("bug triage", QA),
    ("test automation strategy", QA),
    ("regression testing", QA),
    # Business operations
    ("pricing discussion with sales", REVENUE),
    ("sales call with a prospect", REVENUE),
    ("helping close an enterprise deal", REVENUE),
    ("customer escalation", CUSTOMERS),
    ("churn analysis", CUSTOMERS),
    ("nps review", CUSTOMERS),
    ("qbr with a key account", CUSTOMERS),
    ("headcount plan", TEAM_SCALING),
    ("org chart changes", TEAM_SCALING),
    ("engineering budget", BUSINESS_OPS),
    ("reorg planning", TEAM_SCALING),
    # Team development
    ("interviewing a backend candidate", HIRING),
    ("hiring committee", HIRING),
    ("writing a job description", HIRING),
    ("sourcing engineers on linkedin", HIRING),
    ("offer negotiation", HIRING),
    ("phone screen", HIRING),
    ("mentoring a junior dev", MENTORSHIP),
    ("pair programming with a new hire", TEAM),
    ("1:1 with eng manager", TEAM),
    ("weekly one-on-one", TEAM),
    ("1-1 with Sarah", TEAM),
    ("perf reviews", PERFORMANCE),
    ("promotion packet", PERFORMANCE),
    ("calibration meeting", PERFORMANCE),
    ("giving feedback", PERFORMANCE),
    ("new hire onboarding", TEAM),
    ("lunch & learn", TRAINING),
    ("daily stand-up", RITUALS),
    ("sprint retrospective", RITUALS),
    ("all hands prep", RITUALS),
    ("team offsite", RITUALS),
    ("demo day", RITUALS),
    # Personal development
    ("reading a tech book", SKILLS),
    ("online course on rust", SKILLS),
    ("attending a conference", PERSONAL),
    ("cto dinner", PEERS),
    ("peer cto roundtable", PEERS),
    ("exec coaching session", EXEC_EDUCATION),
    ("leadership program", EXEC_EDUCATION),
    ("learning terraform", SKILLS),
)
