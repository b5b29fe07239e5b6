"""Framework ids the tests use, spelled out once (those of the shipped framework and its
presets). A typo here fails many tests at once, rather than quietly testing an unknown id."""

from __future__ import annotations

# Strategy
TECH_PLANNING = "strategy.technology-planning"
OKR = "strategy.technology-planning.okr-management"
BOARD = "strategy.stakeholder-management.board-communications"
INVESTORS = "strategy.stakeholder-management.investor-relations"
MARKET_POSITIONING = "strategy.market-positioning"
COMPETITIVE = "strategy.market-positioning.competitive-differentiation"
# Added by the FinTech preset; not in the base framework.
REGULATORY_CHANGES = "strategy.market-positioning.navigate-regulatory-framework-changes"

# Execution
SECURITY = "execution.security-and-compliance"
INCIDENT = "execution.security-and-compliance.incident-response"
RISK = "execution.security-and-compliance.risk-assessment"
REGULATORY = "execution.security-and-compliance.regulatory-compliance"
SECURITY_TOOLING = "execution.security-and-compliance.security-tooling"
ROADMAP = "execution.product-and-engineering-delivery.product-roadmap-execution"
CI_CD = "execution.product-and-engineering-delivery.ci-cd-management"
DEBT = "execution.product-and-engineering-delivery.technical-debt-reduction"
CUSTOMER = "execution.business-operations.customer-success-metrics"
TEAM_SCALING = "execution.business-operations.team-scaling"

# Culture
TEAM_DEVELOPMENT = "culture.team-development"
TALENT = "culture.team-development.talent-acquisition"
MENTORSHIP = "culture.team-development.technical-mentorship"
STANDUP = "culture.team-development.team-rituals-and-practices"
TRAINING = "culture.team-development.team-training-programs"
# Added by the Healthcare preset; not in the base framework.
HIPAA = "culture.team-development.build-hipaa-compliant-development-practices"
PERSONAL = "culture.personal-development"
SKILLS = "culture.personal-development.skill-development"
