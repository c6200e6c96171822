"""What the jobs domain announces, so other domains react without the jobs knowing them.

Receivers run inside the same transaction as the change (synchronously).
"""

from blinker import Namespace

_signals = Namespace()

# sender: the Application just hired; kwargs: actor (the employer's staff User), now
application_hired = _signals.signal("application-hired")
