"""The people and papers around a referral (issue 14).

- :mod:`~cipco.services.casework.people`: victims and witnesses, the contact log, R8;
- :mod:`~cipco.services.casework.papers`: statements (MG11) and statement meetings, medical
  disclaimers, the CPS action log;
- :mod:`~cipco.services.casework.letters`: correspondence from templates, kept as sent;
- :mod:`~cipco.services.casework.documents`: case documents stored in the data file;
- :mod:`~cipco.services.casework.queries` and ``queries_papers``: the referral page's lists
  (one ``LogSpec`` each);
- :mod:`~cipco.services.casework.due`: what is due (R7 per victim, statements, disclaimers,
  CPS actions, release from duty), for the referral flags, the home screen and the agenda;
- :mod:`~cipco.services.casework.view`: a prisoner as victim or witness (the person page),
  the case file's sections, the clinic agenda's lines.

The package imports none of them itself (the referral rules read ``due`` on every write,
and ``people`` builds on the referral services): import the module you need.
"""
