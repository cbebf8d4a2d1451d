"""The instructor's workspace at /teach/: who may use it, its home page, and what needs an instructor now.

The screens of each domain (authoring, workshops and attendance, the gradebook, quiz and role-play reports) live in
that domain's pages package and wear this package's frame (`teach_page`, `courses/teach/base.html`).
"""
