"""The supervisors' console (issue 6): server-rendered pages under /console/.

Squad leaders see their squad, the bureau sees the district, admins manage people and
organisation; liaisons and anonymous visitors are not let in. Pages are thin handlers
(``pages/``) over services (one module per page), pure computations (``flags``,
``compliance``, ``sla``, ``charts``) and queries (``store/``).
"""
