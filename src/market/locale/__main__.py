"""`python -m market.locale`: every domain's template written anew, every catalog updated."""

from market.locale import update

if __name__ == "__main__":
    update()
