"""Shapley values of a few players, exactly or by permutation sampling (private; used by reconcile).

A *value function* maps a coalition, given as a bit mask over ``k`` players (bit ``i`` set =
player ``i`` switched on), to a number. Player ``i``'s Shapley value is its marginal effect
``v(S | i) - v(S)`` averaged over every order in which the players could be switched on.

* :func:`exact_shapley` visits all ``2**k`` coalitions and weights each marginal effect by
  ``s! (k - s - 1)! / k!``.
* :func:`sampled_shapley` draws orders (permutations) at random, each paired with its reverse
  (*antithetic* sampling: a player early in one is late in the other, which cancels much of the
  order-to-order variation). Along one order the marginal effects telescope, so they sum to
  ``v(all) - v(none)`` exactly for every order and therefore for their mean. The Monte Carlo
  standard error of each player's value is the SD of the per-pair means over sqrt(pairs).

Both call ``value`` at most once per distinct coalition.

>>> v = lambda mask: float(bin(mask).count("1") ** 2)  # v(S) = |S|^2: symmetric players
>>> exact_shapley(v, 3).tolist()
[3.0, 3.0, 3.0]
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from math import factorial

import numpy as np


def shapley_weights(k: int) -> np.ndarray:
    """Weight of a coalition of size s (s = 0..k-1) in one player's Shapley value among k.

    >>> shapley_weights(2).tolist()
    [0.5, 0.5]
    """
    return np.array([factorial(s) * factorial(k - s - 1) / factorial(k) for s in range(k)])


def exact_shapley(value: Callable[[int], float], k: int) -> np.ndarray:
    """Every player's Shapley value from all ``2**k`` coalitions.

    >>> exact_shapley(lambda mask: float(mask == 0b11), 2).tolist()  # only both together count
    [0.5, 0.5]
    """
    masks = np.arange(2**k)
    values = np.array([value(int(mask)) for mask in masks])  # a loop over coalitions, not rows
    sizes = np.array([bin(int(mask)).count("1") for mask in masks])
    weights = shapley_weights(k)
    contributions = np.empty(k)
    for player in range(k):
        without = masks[(masks >> player & 1) == 0]
        gains = values[without | (1 << player)] - values[without]
        contributions[player] = float(np.sum(weights[sizes[without]] * gains))
    return contributions


def sampled_shapley(value: Callable[[int], float], k: int, pairs: int,
                    rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Shapley values estimated from ``pairs`` random orders and their reverses, with MC SEs.

    Returns ``(estimates, standard_errors)``. Every sampled order's marginal effects sum to
    ``value(all) - value(none)``, so the estimates do too.

    >>> est, se = sampled_shapley(lambda mask: float(mask & 1) + 2.0 * bool(mask & 2), 2, 5,
    ...                           np.random.default_rng(0))
    >>> est.tolist(), se.tolist()  # additive players: every order gives the same answer
    ([1.0, 2.0], [0.0, 0.0])
    """
    cached = cache(value)  # each distinct coalition is valued once

    def marginal(order: np.ndarray) -> np.ndarray:
        effects, mask, before = np.empty(k), 0, cached(0)
        for player in order:  # a loop over the k players of one order
            mask |= 1 << int(player)
            after = cached(mask)
            effects[player], before = after - before, after
        return effects

    per_pair = np.empty((pairs, k))
    for pair in range(pairs):  # a loop over sampled orders
        order = rng.permutation(k)
        per_pair[pair] = 0.5 * (marginal(order) + marginal(order[::-1]))
    estimates = per_pair.mean(axis=0)
    errors = (per_pair.std(axis=0, ddof=1) / np.sqrt(pairs) if pairs > 1
              else np.full(k, np.nan))
    return estimates, errors
