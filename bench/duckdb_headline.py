"""Headline aggregates of a registration export and a sign-in download, computed by DuckDB.

The yardstick of bench/run: the figures every MFA report starts from, computed by a fast
analytical engine reading the same CSV files. Prints the figures as JSON on stdout.

    python3 bench/duckdb_headline.py USERS.csv SIGNINS.csv [SIGNINS2.csv ...]
"""

import json
import sys

import duckdb


def sql_text(value: str) -> str:
    """A SQL string literal (views cannot take prepared parameters)."""
    return "'" + value.replace("'", "''") + "'"


def main() -> None:
    users, signins = sys.argv[1], sys.argv[2:]
    con = duckdb.connect()
    con.execute(
        "CREATE VIEW reg AS SELECT *, "
        "CAST(methodsRegistered AS VARCHAR[]) AS methods "
        f"FROM read_csv({sql_text(users)}, header = true, all_varchar = true)"
    )
    reg = con.execute(
        """
        SELECT
          count(*) AS users,
          count(*) FILTER (WHERE userPrincipalName ILIKE '%#EXT#%') AS guests,
          count(*) FILTER (WHERE isMfaCapable = 'True') AS mfa_capable,
          count(*) FILTER (WHERE isPasswordlessCapable = 'True') AS passwordless_capable,
          count(*) FILTER (WHERE len(methods) = 0) AS no_methods,
          count(*) FILTER (WHERE len(methods) = 1) AS single_method,
          count(*) FILTER (WHERE len(methods) > 0 AND len(list_filter(methods, lambda m:
              m NOT IN ('mobilePhone', 'alternateMobilePhone', 'officePhone'))) = 0)
            AS phone_only
        FROM reg
        """
    ).fetchone()
    names = ["users", "guests", "mfa_capable", "passwordless_capable", "no_methods",
             "single_method", "phone_only"]
    out = dict(zip(names, reg))
    out["methods"] = dict(con.execute(
        "SELECT m, count(*) FROM (SELECT unnest(methods) AS m FROM reg) GROUP BY m ORDER BY 2 DESC"
    ).fetchall())
    out["default_methods"] = dict(con.execute(
        "SELECT defaultMfaMethod, count(*) FROM reg GROUP BY 1 ORDER BY 2 DESC"
    ).fetchall())
    con.execute(
        "CREATE VIEW s AS SELECT * FROM read_csv("
        f"[{', '.join(sql_text(p) for p in signins)}], header = true, all_varchar = true, "
        "union_by_name = true)"
    )
    out["signins_by_status"] = dict(con.execute(
        "SELECT Status, count(*) FROM s GROUP BY 1 ORDER BY 2 DESC"
    ).fetchall())
    legacy = ("'Authenticated SMTP','Autodiscover','Exchange ActiveSync',"
              "'Exchange Online PowerShell','Exchange Web Services','IMAP4','MAPI over HTTP',"
              "'Offline Address Book','Outlook Anywhere (RPC over HTTP)','Outlook Service',"
              "'POP3','Reporting Web Services','Other clients'")
    row = con.execute(
        f"""
        SELECT
          count(*) AS rows,
          count(*) FILTER (WHERE Status = 'Success'
                           AND "Authentication requirement" = 'Single-factor authentication')
            AS single_factor_success,
          count(*) FILTER (WHERE lower("Client app") IN (SELECT lower(unnest([{legacy}]))))
            AS legacy_rows,
          count(DISTINCT lower(Username)) FILTER (
            WHERE lower("Client app") IN (SELECT lower(unnest([{legacy}])))) AS legacy_users
        FROM s
        """
    ).fetchone()
    out.update(zip(["signin_rows", "single_factor_success", "legacy_rows", "legacy_users"], row))
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
