from flask import Blueprint

bp = Blueprint("performance", __name__)
