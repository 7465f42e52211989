#!/usr/bin/env python3
"""Golden values for fairaudit's population-disproportionality mathematics.

Run from any directory, in a virtual environment with the pinned packages:

    python3 -m venv venv-pop
    venv-pop/bin/pip install numpy scipy statsmodels mpmath
    venv-pop/bin/python tests/golden/population/make_population_golden.py

It writes `population.json` beside this script (and records the package
versions in its "meta" block). The Rust tests read that file and compare
every value; nothing here calls the Rust code.

Independent source of every value:

* log-gamma: scipy.special.gammaln.
* Incomplete gamma P(a, x), Q(a, x): scipy.special.gammainc / gammaincc, and
  mpmath.gammainc at 40 significant digits (the reference for large shapes).
* Gamma quantile: scipy.special.gammaincinv / gammainccinv, and an mpmath
  Newton iteration at 40 digits on mpmath's regularised upper incomplete
  gamma (the reference: the Rust code must match it to 1e-12 relative).
  scipy 1.17.1's gammaincinv is off by up to 4.7e-6 relative for shapes of
  1e6 and more at a lower tail of 1e-10; such cases are flagged
  (scipy_matches_mpmath = false) and compared with mpmath only.
* Chi-square quantile: scipy.stats.chi2.ppf. Normal: scipy.stats.norm.
* Garwood exact Poisson interval: scipy.stats.chi2.ppf(alpha/2, 2k)/2 and
  chi2.isf(alpha/2, 2k+2)/2; statsmodels confint_poisson(method="exact-c");
  and the mpmath gamma quantile above.
* Rate ratio, exact conditional interval: Clopper-Pearson for a out of a+b
  from scipy.stats.beta.ppf, with 1 - pi taken from the reflected beta, and
  scipy.stats.binomtest(...).proportion_ci(method="exact") as a second path.
* Katz-type log interval: statsmodels confint_poisson_2indep(compare="ratio",
  method="wald-log"), or method="waldcc" (0.5 added to both counts) when a
  count is 0.
* Exact conditional test: scipy.stats.binomtest(a, a+b, pi0).pvalue and
  statsmodels test_poisson_2indep(method="exact-cond").
* Rate difference per 1,000: statsmodels confint_poisson_2indep(
  compare="diff", method="wald") times 1,000.
* Mantel-Haenszel rate ratio, Greenland-Robins variance, homogeneity tests
  (score test at RR_MH; inverse-variance log-ratio chi-square about the
  weighted mean, Woolf; the same about ln RR_MH): an implementation of the
  textbook formulas in `mantel_haenszel_reference` (numpy, scipy.stats.binom
  for the binomial moments, scipy.stats.chi2.sf), written independently of
  the Rust code, plus a published worked example typed in by hand (Doll &
  Hill's British doctors, as tabulated in a course note citing McNeil 1996;
  its published stratum and crude ratios are kept, to 2 decimals, under
  "published").
* "Not stated" bounds: the definitions below with scipy.stats.beta.ppf.
* Representation: statsmodels proportion_confint(method="wilson"),
  scipy.stats.binomtest.
* Power and sample size: statsmodels power_proportions_2indep and
  samplesize_proportions_2indep_onetail; inverse problems solved by
  scipy.optimize.brentq on statsmodels' power function.

Undefined values are written as null (JSON has no NaN or infinity).
"""

import json
import math
import platform
import warnings
from pathlib import Path

import mpmath as mp
import numpy as np
import scipy
import statsmodels
from scipy import optimize, special, stats
from statsmodels.stats.proportion import (
    power_proportions_2indep,
    proportion_confint,
    samplesize_proportions_2indep_onetail,
)
from statsmodels.stats.rates import (
    confint_poisson,
    confint_poisson_2indep,
    test_poisson_2indep,
)

warnings.simplefilter("ignore")
mp.mp.dps = 40

OUT = Path(__file__).resolve().parent / "population.json"


def num(x):
    """A Python float, or None for NaN / infinity / missing."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


# ---------------------------------------------------------------------------
# Special functions
# ---------------------------------------------------------------------------


def mp_upper(a, x):
    """Q(a, x) at 40 digits."""
    return mp.gammainc(mp.mpf(a), mp.mpf(x), mp.inf, regularized=True)


def mp_gamma_quantile(a, target, upper):
    """x with P(a, x) = target (upper=False) or Q(a, x) = target (upper=True),
    by Newton's method at 40 digits, started from scipy's value."""
    a_mp = mp.mpf(a)
    t = mp.mpf(target)
    start = special.gammainccinv(a, target) if upper else special.gammaincinv(a, target)
    x = mp.mpf(start)
    log_gamma_a = mp.loggamma(a_mp)
    for _ in range(100):
        q = mp_upper(a, x)
        f = (q - t) if upper else (1 - q - t)
        density = mp.exp((a_mp - 1) * mp.log(x) - x - log_gamma_a)
        step = f / (-density if upper else density)
        x -= step
        if abs(step) <= abs(x) * mp.mpf(10) ** -34:
            break
    return x


def quantile_case(a, target, upper):
    """One gamma-quantile case. scipy's gammaincinv is not always right for
    large shapes and tiny lower tails (4.7e-6 relative at a = 1e8, p = 1e-10
    in scipy 1.17.1), so each case records whether scipy agrees with the
    mpmath reference to 1e-12; the Rust tests hold the Rust value to mpmath
    always and to scipy only where scipy agrees."""
    sci = special.gammainccinv(a, target) if upper else special.gammaincinv(a, target)
    ref = mp_gamma_quantile(a, target, upper=upper)
    rel = abs((mp.mpf(sci) - ref) / ref)
    return {
        "a": a, "p": target, "tail": "upper" if upper else "lower",
        "scipy": num(sci), "mpmath": num(ref),
        "scipy_relative_error": num(rel), "scipy_matches_mpmath": bool(rel <= 1e-12),
    }


def special_functions():
    log_gamma = [
        {"x": x, "scipy": num(special.gammaln(x))}
        for x in [1e-300, 1e-10, 0.001, 0.5, 1.0, 1.5, 2.0, 3.7, 10.0, 14.9, 15.0,
                  15.5, 100.0, 12345.678, 1e8, 1e12]
    ]
    incomplete = []
    for a, x in [(0.5, 0.1), (0.5, 2.0), (0.5, 50.0), (1.0, 0.5), (3.0, 0.5),
                 (3.0, 10.0), (17.5, 12.0), (17.5, 30.0), (1000.0, 950.0),
                 (1000.0, 1100.0), (1e6, 1e6 - 2500.0), (1e6, 1e6 + 3000.0),
                 (1e8 + 1.0, 1e8 + 1.0), (1e8, 1e8 - 2e4), (1e8 + 1.0, 1e8 + 2.5e4)]:
        q = mp_upper(a, x)
        incomplete.append({
            "a": a, "x": x,
            "p_scipy": num(special.gammainc(a, x)), "q_scipy": num(special.gammaincc(a, x)),
            "p_mpmath": num(1 - q), "q_mpmath": num(q),
        })
    quantiles = []
    shapes = [0.5, 1.0, 2.0, 5.0, 10.5, 100.0, 1e4, 1e6, 1e7, 1e8, 1e8 + 1.0]
    for a in shapes:
        for p in [1e-10, 0.005, 0.025, 0.05, 0.5]:
            quantiles.append(quantile_case(a, p, upper=False))
        for q in [1e-10, 0.005, 0.025, 0.05]:
            quantiles.append(quantile_case(a, q, upper=True))
    chi2 = [
        {"q": q, "df": df, "scipy": num(stats.chi2.ppf(q, df))}
        for q in [0.005, 0.025, 0.5, 0.95, 0.975, 0.995]
        for df in [1.0, 2.0, 7.0, 60.0, 2e4, 2e7]
    ]
    normal_q = [{"p": p, "ppf": num(stats.norm.ppf(p))}
                for p in [1e-300, 1e-20, 1e-8, 0.001, 0.025, 0.2, 0.3, 0.4999, 0.5,
                          0.6, 0.8, 0.975, 0.999999]]
    normal_c = [{"z": z, "cdf": num(stats.norm.cdf(z)), "sf": num(stats.norm.sf(z))}
                for z in [-30.0, -8.0, -1.959963984540054, -0.3, 0.0, 0.1, 1.0, 2.5, 9.0]]
    return {
        "log_gamma": log_gamma,
        "incomplete_gamma": incomplete,
        "gamma_quantile": quantiles,
        "chi2_ppf": chi2,
        "normal_ppf": normal_q,
        "normal_cdf": normal_c,
    }


# ---------------------------------------------------------------------------
# Garwood exact Poisson intervals and rates per 1,000
# ---------------------------------------------------------------------------


def garwood_cases():
    out = []
    cases = [(k, 0.95) for k in [0, 1, 2, 5, 10, 50, 100, 1000, 12345, 10**5, 10**6, 10**7,
                                 10**8]]
    cases += [(0, 0.9), (3, 0.9), (250, 0.99), (10**6, 0.99), (7.5, 0.95)]
    for k, level in cases:
        alpha = 1 - level
        low = 0.0 if k == 0 else stats.chi2.ppf(alpha / 2, 2 * k) / 2
        high = stats.chi2.isf(alpha / 2, 2 * k + 2) / 2
        sm = confint_poisson(k, 1.0, method="exact-c", alpha=alpha)
        low_mp = 0.0 if k == 0 else mp_gamma_quantile(float(k), alpha / 2, upper=False)
        high_mp = mp_gamma_quantile(float(k) + 1.0, alpha / 2, upper=True)
        population = 2_900_000.0 if k >= 10**6 else 125_000.0
        out.append({
            "k": k, "level": level, "population": population,
            "low": num(low), "high": num(high),
            "low_statsmodels": num(sm[0]), "high_statsmodels": num(sm[1]),
            "low_mpmath": num(low_mp), "high_mpmath": num(high_mp),
            "rate_per_1000": num(k / population * 1000),
            "rate_low_per_1000": num(low_mp / population * 1000),
            "rate_high_per_1000": num(high_mp / population * 1000),
        })
    return out


# ---------------------------------------------------------------------------
# Rate ratio of a group to the reference
# ---------------------------------------------------------------------------


def exact_rate_ratio(a, na, b, nb, level):
    """Clopper-Pearson for pi = a/(a+b), transformed to RR = pi/(1-pi) nb/na,
    with 1 - pi taken from the reflected beta (never by subtraction)."""
    alpha = 1 - level
    if a + b == 0:
        return None, None
    scale = nb / na
    if a == 0:
        low = 0.0
    else:
        low = stats.beta.ppf(alpha / 2, a, b + 1) / stats.beta.ppf(1 - alpha / 2, b + 1, a) * scale
    if b == 0:
        high = None
    else:
        high = stats.beta.ppf(1 - alpha / 2, a + 1, b) / stats.beta.ppf(alpha / 2, b, a + 1) * scale
    return low, high


def rate_ratio_cases():
    cases = [
        (25, 10_000, 40, 100_000, 0.95),
        (0, 5_000, 12, 80_000, 0.95),
        (7, 3_000, 0, 90_000, 0.95),
        (3, 2_000, 1, 50_000, 0.95),
        (1_500, 150_000, 4_000, 1_800_000, 0.95),
        (1_500, 150_000, 4_000, 1_800_000, 0.90),
        (1_500, 150_000, 4_000, 1_800_000, 0.99),
        (120, 1_000, 3, 100_000, 0.95),
        (2_000_000, 5_000_000, 500_000, 40_000_000, 0.95),
        (40, 20_000, 400, 200_000, 0.95),
        (0, 1_000, 0, 1_000, 0.95),
        (12.5, 1_000.0, 30.25, 5_000.0, 0.95),
    ]
    out = []
    for a, na, b, nb, level in cases:
        alpha = 1 - level
        integer = float(a).is_integer() and float(b).is_integer()
        low, high = exact_rate_ratio(a, na, b, nb, level)
        estimate = None if b == 0 else (a / na) / (b / nb)
        # Second path for the exact interval: binomtest's Clopper-Pearson.
        low_bt = high_bt = None
        if integer and a + b > 0:
            ci = stats.binomtest(int(a), int(a + b), 0.5).proportion_ci(
                confidence_level=level, method="exact")
            scale = nb / na
            low_bt = ci.low / (1 - ci.low) * scale
            high_bt = None if ci.high >= 1 else ci.high / (1 - ci.high) * scale
        # Katz-type: wald-log, or waldcc (0.5 added to both) when a = 0.
        katz_low = katz_high = None
        adjusted = None
        if b > 0 and (a + b) > 0:
            adjusted = a == 0
            method = "waldcc" if adjusted else "wald-log"
            ci = confint_poisson_2indep(a, na, b, nb, method=method, compare="ratio", alpha=alpha)
            katz_low, katz_high = ci
        # Exact conditional test.
        p_value = p_value_sm = p_value_125 = None
        if integer and a + b > 0:
            for r0 in [1.0, 1.25]:
                pi0 = r0 * na / (r0 * na + nb)
                p = stats.binomtest(int(a), int(a + b), pi0).pvalue
                if r0 == 1.0:
                    p_value = p
                    p_value_sm = test_poisson_2indep(
                        a, na, b, nb, value=1.0, method="exact-cond").pvalue
                else:
                    p_value_125 = p
        # Rate difference per 1,000, Wald.
        d = confint_poisson_2indep(a, na, b, nb, method="wald", compare="diff", alpha=alpha)
        out.append({
            "a": a, "na": na, "b": b, "nb": nb, "level": level,
            "estimate": num(estimate),
            "exact_low": num(low), "exact_high": num(high),
            "exact_low_binomtest": num(low_bt), "exact_high_binomtest": num(high_bt),
            "katz_low": num(katz_low), "katz_high": num(katz_high), "katz_adjusted": adjusted,
            "p_value": num(p_value), "p_value_statsmodels": num(p_value_sm),
            "p_value_null_1_25": num(p_value_125),
            "diff_per_1000": num((a / na - b / nb) * 1000),
            "diff_low_per_1000": num(d[0] * 1000), "diff_high_per_1000": num(d[1] * 1000),
        })
    return out


# ---------------------------------------------------------------------------
# Mantel-Haenszel across strata
# ---------------------------------------------------------------------------


def mantel_haenszel_reference(strata, level):
    """Textbook formulas (Greenland & Robins 1985; Rothman, Greenland & Lash
    2008 ch. 15), written independently of the Rust code.

    strata: rows (a, N1, b, N0) = group events, group population, reference
    events, reference population.
    """
    s = np.array(strata, dtype=float)
    a, n1, b, n0 = s.T
    usable = (n1 > 0) & (n0 > 0) & (a + b > 0)
    a, n1, b, n0 = a[usable], n1[usable], b[usable], n0[usable]
    t = n1 + n0
    m = a + b
    r = np.sum(a * n0 / t)
    s_ = np.sum(b * n1 / t)
    if s_ == 0:
        return None
    rr = r / s_
    result = {"estimate": rr, "strata_used": int(usable.sum()),
              "se_log": None, "low": None, "high": None}
    if r > 0:
        var = np.sum(m * n1 * n0 / t**2) / (r * s_)
        se = math.sqrt(var)
        z = stats.norm.isf((1 - level) / 2)
        result.update(se_log=se, low=rr * math.exp(-z * se), high=rr * math.exp(z * se))
    # Score (Pearson) chi-square at RR_MH: a_i | M_i ~ Bin(M_i, p_i).
    score = None
    if rr > 0 and len(a) >= 2:
        p = rr * n1 / (rr * n1 + n0)
        e = stats.binom.mean(m, p)
        v = stats.binom.var(m, p)
        keep = v > 0
        if keep.sum() >= 2:
            stat = float(np.sum((a[keep] - e[keep]) ** 2 / v[keep]))
            df = int(keep.sum()) - 1
            score = {"statistic": stat, "df": df, "p_value": stats.chi2.sf(stat, df),
                     "strata_used": int(keep.sum())}
    # Inverse-variance weighted log-RR deviations, zero-count strata out,
    # about the weighted mean (Woolf) and about ln RR_MH (Stata's ir "M-H").
    woolf = log_mh = None
    nz = (a > 0) & (b > 0)
    if nz.sum() >= 2:
        log_rr = np.log((a[nz] / n1[nz]) / (b[nz] / n0[nz]))
        w = 1.0 / (1.0 / a[nz] + 1.0 / b[nz])
        df = int(nz.sum()) - 1
        tests = []
        for centre in [np.sum(w * log_rr) / np.sum(w), math.log(rr) if rr > 0 else None]:
            if centre is None:
                tests.append(None)
                continue
            stat = float(np.sum(w * (log_rr - centre) ** 2))
            tests.append({"statistic": stat, "df": df, "p_value": stats.chi2.sf(stat, df),
                          "strata_used": int(nz.sum())})
        woolf, log_mh = tests
    return result, score, woolf, log_mh


def mantel_haenszel_cases():
    datasets = [
        {
            "name": "doll_hill_british_doctors",
            "source": (
                "Coronary deaths and person-years of smoking and non-smoking British male "
                "doctors by age (Doll & Hill 1966), as tabulated in 'Statistik for MPH' "
                "lecture notes citing D. McNeil (1996), Epidemiological Research Methods, "
                "Wiley; https://yumpu.com/en/document/view/49390631/ (page 13). The same "
                "data are Stata's dollhill3 example and Rothman & Greenland's Modern "
                "Epidemiology example of person-time data. Columns: smoker deaths, "
                "smoker person-years, non-smoker deaths, non-smoker person-years."
            ),
            "strata": [[32, 52407, 2, 18790], [104, 43248, 12, 10673],
                       [206, 28612, 28, 5710], [186, 12663, 28, 2585],
                       [102, 5317, 31, 1462]],
            "published": {
                "stratum_rate_ratios_2dp": [5.74, 2.14, 1.47, 1.36, 0.90],
                "crude_rate_ratio_2dp": 1.72,
                "totals": {"smoker_deaths": 630, "smoker_person_years": 142247,
                           "non_smoker_deaths": 101, "non_smoker_person_years": 39220},
            },
        },
        {
            "name": "synthetic_seven_areas",
            "source": "Synthetic: seven areas, group vs reference, invented counts.",
            "strata": [[410, 98_000, 1_300, 560_000], [95, 40_000, 520, 230_000],
                       [60, 14_000, 610, 260_000], [130, 30_000, 690, 220_000],
                       [25, 9_000, 300, 170_000], [70, 16_000, 480, 190_000],
                       [88, 21_000, 410, 150_000]],
            "published": None,
        },
        {
            "name": "synthetic_sparse_with_zeros",
            "source": ("Synthetic: sparse strata, including a stratum with no group "
                       "population, one with no events, and zero counts on each side."),
            "strata": [[3, 800, 5, 9_000], [0, 1_200, 4, 11_000], [2, 500, 0, 7_000],
                       [0, 0, 6, 8_000], [0, 900, 0, 10_000], [6, 1_500, 9, 12_000]],
            "published": None,
        },
        {
            "name": "synthetic_two_strata_heterogeneous",
            "source": "Synthetic: two strata with very different ratios.",
            "strata": [[50, 1_000, 50, 10_000], [10, 1_000, 100, 10_000]],
            "published": None,
        },
    ]
    out = []
    for ds in datasets:
        for level in [0.95, 0.9]:
            if ds["name"] != "doll_hill_british_doctors" and level != 0.95:
                continue
            ref = mantel_haenszel_reference(ds["strata"], level)
            if ref is None:
                mh, score, woolf, log_mh = None, None, None, None
            else:
                mh, score, woolf, log_mh = ref
            entry = {
                "name": ds["name"], "source": ds["source"], "level": level,
                "strata": ds["strata"],
                "estimate": num(mh["estimate"]) if mh else None,
                "se_log": num(mh["se_log"]) if mh else None,
                "low": num(mh["low"]) if mh else None,
                "high": num(mh["high"]) if mh else None,
                "strata_used": mh["strata_used"] if mh else None,
                "score": {k: num(v) if isinstance(v, float) else v for k, v in score.items()}
                if score else None,
                "woolf": {k: num(v) if isinstance(v, float) else v for k, v in woolf.items()}
                if woolf else None,
                "log_ratio_about_mh": {k: num(v) if isinstance(v, float) else v
                                       for k, v in log_mh.items()} if log_mh else None,
                "published": ds["published"],
            }
            out.append(entry)
    return out


# ---------------------------------------------------------------------------
# "Not stated" sensitivity bounds
# ---------------------------------------------------------------------------


def not_stated_cases():
    """Scenarios: as recorded (a, b); all to group (a+u, b); all to reference
    (a, b+u); proportional (a(1+u/s), b(1+u/s)), s = stated events over all
    groups. Rates per 1,000."""
    cases = [
        (40, 10_000, 100, 100_000, 20, 200, 0.95),
        (1_500, 150_000, 4_000, 1_800_000, 900, 7_200, 0.95),
        (0, 5_000, 12, 80_000, 3, 30, 0.95),
        (7, 3_000, 0, 90_000, 5, 9, 0.95),
    ]
    out = []
    for a, na, b, nb, u, s, level in cases:
        factor = 1 + u / s
        scenarios = {}
        for name, ga, rb, with_ci in [
            ("as_recorded", a, b, True),
            ("all_to_group", a + u, b, True),
            ("all_to_reference", a, b + u, True),
            ("proportional", a * factor, b * factor, False),
        ]:
            low, high = exact_rate_ratio(ga, na, rb, nb, level) if with_ci else (None, None)
            scenarios[name] = {
                "group_events": num(ga), "reference_events": num(rb),
                "group_rate": num(ga / na * 1000), "reference_rate": num(rb / nb * 1000),
                "rate_ratio": None if rb == 0 else num((ga / na) / (rb / nb)),
                "exact_low": num(low) if with_ci else None,
                "exact_high": num(high) if with_ci else None,
                "has_interval": with_ci and (ga + rb) > 0,
            }
        out.append({"a": a, "na": na, "b": b, "nb": nb, "not_stated": u, "stated_total": s,
                    "level": level, "not_stated_share": num(u / (s + u)),
                    "scenarios": scenarios})
    return out


# ---------------------------------------------------------------------------
# Representation
# ---------------------------------------------------------------------------


def representation_cases():
    out = []
    for k, n, s, level in [(30, 1_000, 0.12, 0.95), (0, 250, 0.05, 0.95),
                           (410, 7_000, 0.046, 0.95), (55, 400, 0.3, 0.9),
                           (1_200, 8_000, 0.15, 0.99), (20, 20, 0.6, 0.95)]:
        low, high = proportion_confint(k, n, alpha=1 - level, method="wilson")
        if k == 0:
            low = 0.0
        if k == n:
            high = 1.0
        out.append({
            "k": k, "n": n, "population_share": s, "level": level,
            "share": num(k / n), "share_low": num(low), "share_high": num(high),
            "ratio": num(k / n / s), "ratio_low": num(low / s), "ratio_high": num(high / s),
            "difference": num(k / n - s), "difference_low": num(low - s),
            "difference_high": num(high - s),
            "p_value": num(stats.binomtest(k, n, s).pvalue),
        })
    return out


# ---------------------------------------------------------------------------
# Power and sample size (pooled two-proportion z test, two-sided)
# ---------------------------------------------------------------------------


def sm_power(p_ref, ratio, n_group, n_ref, alpha):
    """statsmodels power: diff = p_g - p_r, prop2 = p_r, nobs1 = n_g,
    ratio = n_r / n_g."""
    p_group = ratio * p_ref
    res = power_proportions_2indep(p_group - p_ref, p_ref, n_group, ratio=n_ref / n_group,
                                   alpha=alpha, alternative="two-sided", return_results=True)
    return float(res.power)


def power_cases():
    power = []
    for p_ref in [0.05, 0.2, 0.5]:
        for ratio in [0.5, 0.8, 1.25, 1.9]:
            for n_group in [50.0, 500.0, 5_000.0]:
                for mult in [1.0, 10.0]:
                    if ratio * p_ref > 1:
                        continue
                    for alpha in [0.05]:
                        power.append({
                            "p_ref": p_ref, "ratio": ratio, "n_group": n_group,
                            "n_ref": n_group * mult, "alpha": alpha,
                            "power": sm_power(p_ref, ratio, n_group, n_group * mult, alpha),
                        })
    power.append({"p_ref": 0.1, "ratio": 1.3, "n_group": 800.0, "n_ref": 12_000.0,
                  "alpha": 0.01, "power": sm_power(0.1, 1.3, 800.0, 12_000.0, 0.01)})

    detectable = []
    for p_ref, n_group, n_ref, alpha, target in [
        (0.2, 500.0, 5_000.0, 0.05, 0.8), (0.05, 2_000.0, 20_000.0, 0.05, 0.8),
        (0.5, 100.0, 100.0, 0.05, 0.8), (0.1, 60.0, 900.0, 0.05, 0.8),
        (0.3, 10_000.0, 40_000.0, 0.01, 0.9), (0.01, 5.0, 5.0, 0.05, 0.8),
    ]:
        for direction in ["above", "below"]:
            lo, hi = (1.0, 1.0 / p_ref) if direction == "above" else (0.0, 1.0)
            f = lambda r: sm_power(p_ref, r, n_group, n_ref, alpha) - target  # noqa: E731
            end = hi if direction == "above" else lo
            if f(end) < 0:
                root = None
            else:
                root = optimize.brentq(f, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps,
                                       maxiter=500)
            detectable.append({"p_ref": p_ref, "n_group": n_group, "n_ref": n_ref,
                               "alpha": alpha, "power": target, "direction": direction,
                               "ratio": num(root)})

    sizes = []
    for p_ref, ratio, size_ratio, alpha, target in [
        (0.1, 1.25, 4.0, 0.05, 0.8), (0.2, 0.8, 10.0, 0.05, 0.8),
        (0.05, 1.5, 1.0, 0.05, 0.9), (0.3, 1.1, 20.0, 0.01, 0.8),
        (0.5, 0.5, 0.5, 0.05, 0.8), (0.02, 2.0, 5.0, 0.05, 0.8),
    ]:
        diff = ratio * p_ref - p_ref
        one_tail = samplesize_proportions_2indep_onetail(
            diff, p_ref, target, ratio=size_ratio, alpha=alpha, alternative="two-sided")
        f = lambda n: sm_power(p_ref, ratio, n, size_ratio * n, alpha) - target  # noqa: E731
        exact = optimize.brentq(f, one_tail / 4, one_tail * 1.5, xtol=1e-12,
                                rtol=4 * np.finfo(float).eps, maxiter=500)
        sizes.append({"p_ref": p_ref, "ratio": ratio, "size_ratio": size_ratio,
                      "alpha": alpha, "power": target,
                      "n_group_one_tail": num(one_tail), "n_group": num(exact)})
    return {"power": power, "min_detectable_ratio": detectable, "sample_size": sizes}


def main():
    golden = {
        "meta": {
            "generated_by": "tests/golden/population/make_population_golden.py",
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "statsmodels": statsmodels.__version__,
            "mpmath": mp.__version__,
            "conventions": {
                "level": "two-sided confidence level; alpha = 1 - level",
                "rate_ratio": "(a/na)/(b/nb): group a events in population na, "
                              "reference b events in nb",
                "per": "rates and differences per 1,000 people",
                "null": "undefined (or unbounded, for exact_high) values",
            },
        },
    }
    golden.update(special_functions())
    golden["garwood"] = garwood_cases()
    golden["rate_ratio"] = rate_ratio_cases()
    golden["mantel_haenszel"] = mantel_haenszel_cases()
    golden["not_stated"] = not_stated_cases()
    golden["representation"] = representation_cases()
    golden.update(power_cases())
    OUT.write_text(json.dumps(golden, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
