"""What the card domain announces, so other domains react without the cards knowing them.

Receivers run inside the same transaction as the change (synchronously).
"""

from blinker import Namespace

_signals = Namespace()

# sender: the User; kwargs: declaration (HealthDeclaration), assessed (StatusDecision), now
declaration_recorded = _signals.signal("declaration-recorded")
# sender: the User; kwargs: before (str | None), after (StatusDecision), cause, actor, now
status_changed = _signals.signal("status-changed")
