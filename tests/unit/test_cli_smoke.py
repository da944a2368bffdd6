from kalshi_bots.entrypoints.cli import main


def test_schedule_lists_every_rule(capsys):
    assert main(["schedule"]) == 0
    out = capsys.readouterr().out
    assert "BTCTradingBot-Minute45" in out
    assert "cron(0 18,20 * * ? *)" in out
