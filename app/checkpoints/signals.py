"""What the checkpoint domain announces, so other domains react without checkpoints knowing them.

Receivers run inside the same transaction as the change (synchronously).
"""

from blinker import Namespace

_signals = Namespace()

# sender: the volunteer (User); kwargs: scan_ids (ids of refusals just flagged: a valid pass
# refused at a gate), now. Supervision opens or extends a case per checkpoint and day.
valid_cards_refused = _signals.signal("valid-cards-refused")
