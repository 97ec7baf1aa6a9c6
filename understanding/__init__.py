"""Understanding callers: what a caller's words are about.

The hotline is speech first, so everything downstream — routing, dispatch
accuracy, the monthly figures — is right or wrong from here.  This package
reads one utterance ("西仓路银春旅馆门前有两个上水井盖丢失") into a
``Reading``: the likely categories with calibrated probabilities, the place,
whether the caller says it is urgent, and whether it is a question rather
than a complaint.

* ``text``: one spelling for what speech recognition returns, and the
  features the models see (characters, words, toneless syllables).
* ``classifier``: the two-level category model (major class, then minor
  class) and the question-or-complaint model, trained with scikit-learn.
* ``places``, ``urgency``: the place and the urgency words in an utterance.
* ``reading``: puts them together for the IVR; pure, no Flask, no database.
* ``corpus``: the training examples and the frozen held-out sets, as data.
* ``evaluation``: top-1 and top-3 accuracy on the held-out set.
* ``models``, ``services``, ``cli``: stored models and the centre's own
  labelled cases; ``flask --app app classifier train|evaluate``.
"""
