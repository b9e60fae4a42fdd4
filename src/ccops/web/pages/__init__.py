"""The web pages, one router per area: account, floor, reports, people, admin."""
